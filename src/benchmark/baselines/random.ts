// The floor every method should beat: rankings and anomalies drawn at random, from a seed so a
// benchmark run repeats.
import type { RcaCase } from '../cases.ts';
import { chance, createRng, sample } from '../../core/rng.ts';
import { allIndicators, intervalTimestamp, type AnomalyPrediction, type BaselineInput, type BaselineMethod } from './common.ts';

/** The share of host-intervals the random baseline flags. */
export const RANDOM_ANOMALY_RATE = 0.01;

/** Options of the random baseline. */
export interface RandomOptions {
  /** Default 0. */
  readonly seed?: number | undefined;
}

/**
 * The random baseline: each case's ranking is a permutation of every indicator drawn from its own
 * stream (seed and incident id), so a case's ranking does not depend on which other cases the
 * dataset has; about 1 % of the host-intervals that have data are flagged as anomalies.
 */
export function createRandomMethod(options: RandomOptions = {}): BaselineMethod {
  const seed = options.seed ?? 0;
  return {
    name: 'random',
    rank(input: BaselineInput, rcaCase: RcaCase): string[] {
      const indicators = allIndicators(input.services);
      return sample(createRng(`baseline-random:${seed}:rca:${rcaCase.incidentId}`), indicators, indicators.length);
    },
    detect({ series }: BaselineInput): AnomalyPrediction[] {
      const rng = createRng(`baseline-random:${seed}:anomalies`);
      const out: AnomalyPrediction[] = [];
      for (let k = 0; k < series.intervals; k++) {
        for (const host of series.hosts) {
          if (!host.values.some((column) => !Number.isNaN(column[k] as number))) continue;
          if (chance(rng, RANDOM_ANOMALY_RATE)) out.push({ host_id: host.hostId, timestamp: intervalTimestamp(series.timeOf(k)) });
        }
      }
      return out;
    },
  };
}
