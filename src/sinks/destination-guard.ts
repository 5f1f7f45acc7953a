// Which destinations a shared server may push to. A sink URL makes the server send requests
// wherever a caller says (SSRF), so a destination must match the operator's allowlist
// (MELT_SINK_ALLOWLIST, host:port patterns, empty by default: nothing allowed), and one that
// resolves to a loopback, private or link-local address must be allow-listed by its exact
// host:port, never through a wildcard.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';

/** Addresses a caller must not reach through a wildcard: loopback, private, link-local, unspecified, CGNAT, ULA. */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv6');
}

/** Whether an IP address is loopback, private, link-local or otherwise internal (IPv4-mapped IPv6 included). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return INTERNAL.check(mapped[1] as string, 'ipv4');
  const family = isIP(address);
  return family === 4 ? INTERNAL.check(address, 'ipv4') : family === 6 ? INTERNAL.check(address, 'ipv6') : false;
}

/** One allowlist entry: `host:port`, where host may start with `*.` (any subdomain) or be `*`. */
export interface DestinationPattern {
  readonly host: string;
  readonly port: number;
  readonly wildcard: boolean;
}

/**
 * Parses MELT_SINK_ALLOWLIST: comma-separated `host:port` patterns (`vm.internal:8428`,
 * `*.metrics.example.com:443`, `[::1]:9090`).
 * @throws Error naming the first bad entry.
 */
export function parseAllowlist(text: string): DestinationPattern[] {
  return text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
    .map((entry) => {
      const m = /^(\[[0-9a-fA-F:.]+\]|\*|(?:\*\.)?[a-zA-Z0-9.-]+):(\d{1,5})$/.exec(entry);
      const port = Number(m?.[2]);
      if (!m || port < 1 || port > 65535) throw new Error(`MELT_SINK_ALLOWLIST: "${entry}" is not host:port (host may be *, *.domain or [ipv6])`);
      const host = (m[1] as string).toLowerCase().replace(/^\[|\]$/g, '');
      return { host, port, wildcard: host === '*' || host.startsWith('*.') };
    });
}

function matches(p: DestinationPattern, host: string, port: number): boolean {
  if (p.port !== port) return false;
  if (p.host === '*') return true;
  if (p.host.startsWith('*.')) return host.endsWith(p.host.slice(1));
  return p.host === host;
}

/** A refused destination: what was asked and why (safe to return to the caller). */
export class DestinationRefused extends Error {
  readonly code = 'SINK_NOT_ALLOWED';
}

/** The system resolver: every address of a host. */
const systemResolve = async (h: string): Promise<string[]> => (await lookup(h, { all: true })).map((a) => a.address);

/**
 * The addresses the server may connect to for `host:port`: resolved, then checked against the
 * allowlist's rule for internal addresses.
 * @throws DestinationRefused
 */
async function allowedAddresses(host: string, port: number, allowlist: readonly DestinationPattern[], resolve: (host: string) => Promise<string[]>): Promise<string[]> {
  const allowed = allowlist.filter((p) => matches(p, host, port));
  if (allowed.length === 0) throw new DestinationRefused(`${host}:${port} is not in the server's sink allowlist (MELT_SINK_ALLOWLIST)`);
  const exact = allowed.some((p) => !p.wildcard);
  const addresses = isIP(host) ? [host] : await resolve(host).catch(() => [] as string[]);
  if (addresses.length === 0) throw new DestinationRefused(`${host} does not resolve`);
  // An internal address only by its exact name: a wildcard must not open the server's own network.
  if (!exact && addresses.some(isInternalAddress)) throw new DestinationRefused(`${host} resolves to an internal address; allow-list ${host}:${port} itself to reach it`);
  return addresses;
}

/**
 * Checks a sink URL against the allowlist, resolving its host: resolves when the server may send
 * there, throws DestinationRefused otherwise.
 * @param resolve the resolver (tests pass their own); by default the system's, every address.
 */
export async function checkDestination(url: string, allowlist: readonly DestinationPattern[], resolve: (host: string) => Promise<string[]> = systemResolve): Promise<void> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DestinationRefused('the sink URL is not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new DestinationRefused('the sink URL must be http:// or https://');
  if (u.username || u.password) throw new DestinationRefused('credentials go in the headers, not in the sink URL');
  const host = u.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  await allowedAddresses(host, port, allowlist, resolve);
}

/**
 * An HTTP client (undici dispatcher) that applies the allowlist again at every connection and
 * connects to the very address it checked. A check before sending is not enough on its own: the
 * name could resolve to another address by the time the request goes out (DNS rebinding).
 * TLS still verifies the certificate against the name.
 * @param resolve the resolver (tests pass their own); by default the system's.
 */
export function createGuardedDispatcher(allowlist: readonly DestinationPattern[], resolve: (host: string) => Promise<string[]> = systemResolve, connectTimeoutMs = 10_000): Dispatcher {
  const connect = buildConnector({ timeout: connectTimeoutMs });
  return new Agent({
    connect(options, callback) {
      const host = options.hostname.toLowerCase().replace(/^\[|\]$/g, '');
      const port = Number(options.port || (options.protocol === 'https:' ? 443 : 80));
      allowedAddresses(host, port, allowlist, resolve).then(
        (addresses) => connect({ ...options, hostname: addresses[0] as string, servername: options.servername ?? (isIP(host) ? undefined : host) }, callback),
        (e: unknown) => callback(e as Error, null),
      );
    },
  });
}
