// Topology presets: the service names and call graphs of the public microservice systems that
// root-cause-analysis papers benchmark on (RCAEval, ASE'24 / WWW'25, uses all three), with host
// counts and which services are databases, caches or queues. A config's own `services` replace
// the preset's.
import type { ServiceConfig, ServiceKind, TopologyName } from './config.ts';

type Spec = readonly [name: string, kind: ServiceKind, hosts: number, calls: readonly string[]];

function services(spec: readonly Spec[]): ServiceConfig[] {
  return spec.map(([name, kind, hosts, calls]) => ({ name, kind, hosts, calls: [...calls] }));
}

/** The original generator's five services (its default). */
const DEFAULT: readonly Spec[] = [
  ['web-frontend', 'app', 5, ['auth-service', 'payment-gateway', 'recommendation-engine']],
  ['auth-service', 'app', 5, ['inventory-db']],
  ['payment-gateway', 'app', 5, ['inventory-db']],
  ['inventory-db', 'database', 5, []],
  ['recommendation-engine', 'app', 5, ['inventory-db']],
];

/**
 * Online Boutique (GoogleCloudPlatform/microservices-demo, README "Architecture" and the gRPC
 * clients in src/frontend and src/checkoutservice): ten services and the Redis cart store. The
 * load generator is the traffic, not a service, so it is left out.
 */
const ONLINE_BOUTIQUE: readonly Spec[] = [
  ['frontend', 'app', 3, ['adservice', 'cartservice', 'checkoutservice', 'currencyservice', 'productcatalogservice', 'recommendationservice', 'shippingservice']],
  ['checkoutservice', 'app', 2, ['cartservice', 'currencyservice', 'emailservice', 'paymentservice', 'productcatalogservice', 'shippingservice']],
  ['recommendationservice', 'app', 2, ['productcatalogservice']],
  ['cartservice', 'app', 2, ['redis-cart']],
  ['productcatalogservice', 'app', 2, []],
  ['currencyservice', 'app', 2, []],
  ['paymentservice', 'app', 2, []],
  ['shippingservice', 'app', 2, []],
  ['emailservice', 'app', 1, []],
  ['adservice', 'app', 1, []],
  ['redis-cart', 'cache', 1, []],
];

/**
 * Sock Shop (microservices-demo/microservices-demo, deploy/kubernetes/complete-demo.yaml and the
 * services' client code): fifteen services, each data service with its own store, orders handed to
 * shipping through RabbitMQ and consumed by queue-master.
 */
const SOCK_SHOP: readonly Spec[] = [
  ['edge-router', 'app', 2, ['front-end']],
  ['front-end', 'app', 3, ['catalogue', 'carts', 'orders', 'user', 'session-db']],
  ['catalogue', 'app', 2, ['catalogue-db']],
  ['carts', 'app', 2, ['carts-db']],
  ['orders', 'app', 2, ['carts', 'payment', 'user', 'shipping', 'orders-db']],
  ['user', 'app', 2, ['user-db']],
  ['payment', 'app', 1, []],
  ['shipping', 'app', 1, ['rabbitmq']],
  ['queue-master', 'app', 1, ['rabbitmq']],
  ['rabbitmq', 'queue', 1, []],
  ['catalogue-db', 'database', 1, []],
  ['carts-db', 'database', 1, []],
  ['orders-db', 'database', 1, []],
  ['user-db', 'database', 1, []],
  ['session-db', 'cache', 1, []],
];

/**
 * Train Ticket (FudanSELab/train-ticket, master at 813dd01e): the 41 services of its
 * docker-compose.yml and the UI dashboard, their MongoDB/MySQL stores, and the calls found in each
 * service's Java code (`http://ts-…-service` URLs) and in the dashboard's nginx.conf. Seat ↔ travel
 * and seat ↔ travel2 call each other there; the call graph here must be acyclic, so only
 * travel → seat and travel2 → seat are kept (seat asks travel for route data, a read that fails
 * softly). Services with a store call it; the verification-code service's `ts-account-mongo` and the
 * Redis of the compose file are left out (no service's config names them).
 */
const TT_STORE: Record<string, string> = Object.fromEntries(
  [
    'assurance', 'auth', 'config', 'consign', 'consign-price', 'contacts', 'food', 'food-map', 'inside-payment', 'news', 'notification', 'order', 'order-other',
    'payment', 'preserve', 'preserve-other', 'price', 'rebook', 'route', 'security', 'station', 'ticket-office', 'train', 'travel', 'travel2', 'user',
  ].map((s) => [`ts-${s}-service`, `ts-${s}-mongo`]),
);
TT_STORE['ts-voucher-service'] = 'ts-voucher-mysql';
const TT_CALLS: Readonly<Record<string, readonly string[]>> = {
  'ts-admin-basic-info-service': ['config', 'contacts', 'price', 'station', 'train'],
  'ts-admin-order-service': ['order', 'order-other'],
  'ts-admin-route-service': ['route'],
  'ts-admin-travel-service': ['travel', 'travel2'],
  'ts-admin-user-service': ['user'],
  'ts-assurance-service': [],
  'ts-auth-service': ['verification-code'],
  'ts-avatar-service': [],
  'ts-basic-service': ['price', 'route', 'station', 'train'],
  'ts-cancel-service': ['inside-payment', 'notification', 'order', 'order-other', 'user'],
  'ts-config-service': [],
  'ts-consign-price-service': [],
  'ts-consign-service': ['consign-price'],
  'ts-contacts-service': [],
  'ts-execute-service': ['order', 'order-other'],
  'ts-food-map-service': [],
  'ts-food-service': ['food-map', 'station', 'travel'],
  'ts-inside-payment-service': ['order', 'order-other', 'payment'],
  'ts-news-service': [],
  'ts-notification-service': [],
  'ts-order-other-service': ['station'],
  'ts-order-service': ['station'],
  'ts-payment-service': [],
  'ts-preserve-other-service': ['assurance', 'consign', 'contacts', 'food', 'notification', 'order-other', 'seat', 'security', 'station', 'ticketinfo', 'travel2', 'user'],
  'ts-preserve-service': ['assurance', 'consign', 'contacts', 'food', 'notification', 'order', 'seat', 'security', 'station', 'ticketinfo', 'travel', 'user'],
  'ts-price-service': [],
  'ts-rebook-service': ['inside-payment', 'order', 'order-other', 'seat', 'station', 'travel', 'travel2'],
  'ts-route-plan-service': ['route', 'station', 'travel', 'travel2'],
  'ts-route-service': [],
  'ts-seat-service': ['config', 'order', 'order-other'],
  'ts-security-service': ['order', 'order-other'],
  'ts-station-service': [],
  'ts-ticket-office-service': [],
  'ts-ticketinfo-service': ['basic'],
  'ts-train-service': [],
  'ts-travel-plan-service': ['route-plan', 'seat', 'station', 'ticketinfo', 'travel', 'travel2'],
  'ts-travel-service': ['order', 'route', 'seat', 'ticketinfo', 'train'],
  'ts-travel2-service': ['order-other', 'route', 'seat', 'ticketinfo', 'train'],
  'ts-user-service': ['auth'],
  'ts-verification-code-service': [],
  'ts-voucher-service': [],
};
/** The dashboard's nginx routes to every service but the internal ones (basic, seat, ticketinfo, … are reached through others). */
const TT_UI_ROUTES = [
  'admin-basic-info', 'admin-order', 'admin-route', 'admin-travel', 'admin-user', 'assurance', 'auth', 'avatar', 'basic', 'cancel', 'config', 'consign', 'contacts',
  'execute', 'food', 'inside-payment', 'news', 'notification', 'order', 'order-other', 'payment', 'preserve', 'preserve-other', 'price', 'rebook', 'route-plan',
  'route', 'security', 'station', 'ticket-office', 'ticketinfo', 'train', 'travel-plan', 'travel', 'travel2', 'user', 'verification-code', 'voucher',
];
/** The services most requests go through run on two hosts, the rest and every store on one. */
const TT_BUSY = new Set(['ts-ui-dashboard', 'ts-travel-service', 'ts-travel2-service', 'ts-order-service', 'ts-seat-service', 'ts-station-service', 'ts-preserve-service', 'ts-basic-service', 'ts-ticketinfo-service', 'ts-route-service', 'ts-auth-service', 'ts-user-service']);
const TRAIN_TICKET: readonly Spec[] = [
  ['ts-ui-dashboard', 'app', 2, TT_UI_ROUTES.map((s) => `ts-${s}-service`)],
  ...Object.entries(TT_CALLS).map(([name, calls]): Spec => {
    const store = TT_STORE[name];
    return [name, 'app', TT_BUSY.has(name) ? 2 : 1, [...calls.map((c) => `ts-${c}-service`), ...(store ? [store] : [])]];
  }),
  ...Object.values(TT_STORE).map((store): Spec => [store, 'database', 1, []]),
];

/** The services of each topology preset, in the order they are listed (which fixes host order and ids). */
export const TOPOLOGY_PRESETS: Readonly<Record<TopologyName, readonly ServiceConfig[]>> = {
  default: services(DEFAULT),
  'online-boutique': services(ONLINE_BOUTIQUE),
  'sock-shop': services(SOCK_SHOP),
  'train-ticket': services(TRAIN_TICKET),
};
