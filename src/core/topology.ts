import type { GenerationConfig } from './config.ts';
import { hex, int, pick, uniform, type Rng } from './rng.ts';

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
  readonly index: number;
  readonly calls: readonly string[];
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
}

/** Builds hosts (ids, regions, baselines) and the call graph from the config. */
export function buildTopology(rng: Rng, config: GenerationConfig): Topology {
  const callers = new Map<string, string[]>(config.services.map((s) => [s.name, []]));
  for (const s of config.services) for (const c of s.calls) callers.get(c)?.push(s.name);

  const hosts: Host[] = [];
  const usedIds = new Set<string>();
  const services: ServiceNode[] = config.services.map((s, index) => {
    const own: Host[] = [];
    for (let i = 0; i < config.hostsPerService; i++) {
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
      index,
      calls: s.calls,
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

  return {
    services,
    serviceByName,
    hosts,
    hostById: new Map(hosts.map((h) => [h.id, h])),
    entryServices: services.filter((s) => s.callers.length === 0),
    calleesFirst,
    regions: config.regions,
  };
}
