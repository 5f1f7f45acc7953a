import type { GenerationConfig } from './config.ts';
import { planIncidents, type Incident, type IncidentPlan } from './plan.ts';
import { createRng, type Rng } from './rng.ts';
import { DAY_MS, isoDate, parseDate } from './time.ts';
import { buildTopology, type Topology } from './topology.ts';

/** Everything fixed before the first day is rendered: config, topology and the incident plan. */
export interface Simulation {
  readonly config: GenerationConfig;
  readonly topology: Topology;
  readonly plan: IncidentPlan;
  readonly startMs: number;
  /** End of the last day (exclusive). */
  readonly endMs: number;
}

/**
 * Builds the simulation from a normalized config. The seed is split into named streams, so the
 * topology, the plan and each day draw from their own and never shift one another.
 */
export function createSimulation(config: GenerationConfig): Simulation {
  const topology = buildTopology(createRng(`meltgen/${config.seed}/topology`), config);
  const plan = planIncidents(createRng(`meltgen/${config.seed}/plan`), config, topology);
  const startMs = parseDate(config.startDate);
  return { config, topology, plan, startMs, endMs: startMs + config.days * DAY_MS };
}

/** The random stream of day `dayIndex` (0-based): the same whichever days are generated, in any order. */
export function dayRng(sim: Simulation, dayIndex: number): Rng {
  return createRng(`meltgen/${sim.config.seed}/day/${dayIndex}`);
}

/** `YYYY-MM-DD` of day `dayIndex`. */
export function dayDate(sim: Simulation, dayIndex: number): string {
  return isoDate(sim.startMs + dayIndex * DAY_MS);
}

/** The incidents that touch each host on a day, indexed by host index. */
export function incidentsByHost(sim: Simulation, dayIndex: number): Incident[][] {
  const out: Incident[][] = sim.topology.hosts.map(() => []);
  for (const inc of sim.plan.byDay[dayIndex] ?? []) {
    for (const id of inc.hosts) {
      const host = sim.topology.hostById.get(id);
      if (host) (out[host.index] as Incident[]).push(inc);
    }
  }
  return out;
}
