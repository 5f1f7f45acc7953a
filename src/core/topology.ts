import type { GenerationConfig, ServiceKind } from './config.ts';
import { hex, int, pick, uniform, type Rng } from './rng.ts';
import { hash01 } from './state.ts';

/** A host's normal behaviour; incidents act on top of it. */
export interface Baseline {
  readonly cpu: number;
  readonly mem: number;
  readonly latencyMs: number;
  /** Error rate in percent. */
  readonly errorPct: number;
  /** Requests per 15 minutes at peak load. */
  readonly requests: number;
  readonly dbPool: number;
  readonly resourcePool: number;
}

export interface Host {
  readonly id: string;
  readonly service: string;
  readonly region: string;
  /** Position in `Topology.hosts`, used to index per-host arrays. */
  readonly index: number;
  readonly baseline: Baseline;
}

export interface ServiceNode {
  readonly name: string;
  readonly kind: ServiceKind;
  readonly index: number;
  readonly calls: readonly string[];
  /** Chance that one of its requests calls each callee (see `callProbability`). */
  readonly callProbability: number;
  /** Services that call this one: where its failures propagate to. */
  readonly callers: readonly string[];
  readonly hosts: readonly Host[];
  /** Own processing time of one request, in milliseconds, before any incident. */
  readonly selfTimeMs: number;
  /** Weekly maintenance slot: day of week (0 = Sunday), start hour (UTC) and length in hours. */
  readonly maintenance: { readonly weekday: number; readonly hour: number; readonly hours: number };
}

/** The simulated system: services with their call graph, and their hosts. */
export interface Topology {
  readonly services: readonly ServiceNode[];
  readonly serviceByName: ReadonlyMap<string, ServiceNode>;
  readonly hosts: readonly Host[];
  readonly hostById: ReadonlyMap<string, Host>;
  /** Services that nobody calls: where requests enter the system. */
  readonly entryServices: readonly ServiceNode[];
  /** Services ordered callees first, so a caller is always computed after what it calls. */
  readonly calleesFirst: readonly ServiceNode[];
  readonly regions: readonly string[];
  /** Services that ship no logs (benchmark knob `missingLogsShare`). */
  readonly loglessServices: ReadonlySet<string>;
}

/**
 * Chance that a request of a service calls each of its callees: 0.85 for up to four callees; a
 * service with more (a gateway routing to many backends) calls about 3.4 of them a request, as a
 * request takes one route. Shared by the trace sampler and the metrics' expected error rate, which
 * is what keeps the two signals in agreement.
 */
export function callProbability(callees: number): number {
  return callees <= 4 ? 0.85 : 3.4 / callees;
}

/** Builds hosts (ids, regions, baselines) and the call graph from the config. */
export function buildTopology(rng: Rng, config: GenerationConfig): Topology {
  const callers = new Map<string, string[]>(config.services.map((s) => [s.name, []]));
  for (const s of config.services) for (const c of s.calls) callers.get(c)?.push(s.name);

  const hosts: Host[] = [];
  const usedIds = new Set<string>();
  const services: ServiceNode[] = config.services.map((s, index) => {
    const own: Host[] = [];
    for (let i = 0; i < s.hosts; i++) {
      let id: string;
      do id = `${s.name}-${hex(rng, 8).slice(0, 6)}`;
      while (usedIds.has(id));
      usedIds.add(id);
      const host: Host = {
        id,
        service: s.name,
        region: pick(rng, config.regions),
        index: hosts.length,
        baseline: {
          cpu: uniform(rng, 15, 35),
          mem: uniform(rng, 30, 50),
          latencyMs: uniform(rng, 8, 25),
          errorPct: uniform(rng, 0.05, 0.2),
          requests: uniform(rng, 200, 500),
          dbPool: uniform(rng, 10, 25),
          resourcePool: uniform(rng, 15, 35),
        },
      };
      own.push(host);
      hosts.push(host);
    }
    return {
      name: s.name,
      kind: s.kind,
      index,
      calls: s.calls,
      callProbability: callProbability(s.calls.length),
      callers: callers.get(s.name) ?? [],
      hosts: own,
      selfTimeMs: uniform(rng, 4, 30),
      maintenance: { weekday: int(rng, 0, 6), hour: int(rng, 1, 3), hours: 2 },
    };
  });

  const serviceByName = new Map(services.map((s) => [s.name, s]));
  const calleesFirst: ServiceNode[] = [];
  const done = new Set<string>();
  const visit = (s: ServiceNode): void => {
    if (done.has(s.name)) return;
    done.add(s.name);
    for (const c of s.calls) visit(serviceByName.get(c) as ServiceNode);
    calleesFirst.push(s);
  };
  services.forEach(visit);

  // The services without logs: a share of them, ranked by a hash of the seed (no draw from the
  // topology's stream, so the hosts stay as they are).
  const logless = Math.round(config.knobs.missingLogsShare * services.length);
  const ranked = [...services].sort((a, b) => hash01(config.seed, a.index) - hash01(config.seed, b.index) || a.index - b.index);
  return {
    loglessServices: new Set(ranked.slice(0, logless).map((s) => s.name)),
    services,
    serviceByName,
    hosts,
    hostById: new Map(hosts.map((h) => [h.id, h])),
    entryServices: services.filter((s) => s.callers.length === 0),
    calleesFirst,
    regions: config.regions,
  };
}
