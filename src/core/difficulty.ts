// The benchmark knobs: what makes root-cause analysis and anomaly detection hard on real systems
// (RCAEval, ASE'24 / WWW'25; Fang et al. 2025): gradual or uncertain onset, weak faults, delay and
// loss faults that show mostly on the callers, workload changes and other harmless anomalies,
// several faults at once, missing signals. Each difficulty preset is a set of knob values; a
// config may set any knob alone. The neutral value of every knob is the generator as it was before
// the knobs, so `easy` (the default) makes the same data.
import { Type, type Static } from '../typebox.ts';
import type { Difficulty } from './config.ts';

export const KnobsSchema = Type.Object(
  {
    onsetMinutes: Type.Number({
      minimum: 0,
      maximum: 720,
      description:
        'Gradual onset: every incident ramps in over at least this many minutes, slowly at first (quadratic), so its first intervals barely show and the first alert lags the start. 0 = as before.',
    }),
    effectScale: Type.Number({ minimum: 0.05, maximum: 1, description: 'Effect size: every incident hits with this share of its usual strength (weak faults). 1 = as before.' }),
    symptomAmplification: Type.Number({
      minimum: 0,
      maximum: 1,
      description:
        "Delay and loss faults loudest on the callers: a primary NETWORK_PACKET_LOSS or DEPENDENCY_DEGRADATION shows half this share less on its own service (×(1 − a/2)), and its callers' symptoms this much more (×(1 + 2·a)). 0 = as before.",
    }),
    decoysPerDay: Type.Number({
      minimum: 0,
      maximum: 50,
      description:
        'Harmless anomalies a day, in no label: workload shifts (a service\'s traffic up 1.6–2.5× for 1–3 h), noisy neighbours (one host\'s CPU and latency up for 30–120 min) deployments with a transient effect (a DEPLOYMENT event, then CPU, memory and latency up for 15–45 min), network blips (one host loses up to 4 % of packets for 15–60 min) and error bursts (a service\'s requests fail up to 5 % more for 15–60 min). 0 = none.',
    }),
    alertStorms: Type.Boolean({
      description:
        'Alert storms from symptoms: every host that only suffers a symptom fires the app.error_rate alert each time its error rate goes above 5 %, so most alerts come from services that are not the cause. false = as before.',
    }),
    concurrency: Type.Number({ minimum: 1, maximum: 10, description: 'Overlapping incidents: the incident rate is multiplied by this. 1 = as before.' }),
    multiRootShare: Type.Number({
      minimum: 0,
      maximum: 1,
      description: 'Several root causes at once: the share of primaries that strike a second service of the same kind at the same moment (the catalog names both). 0 = none.',
    }),
    traceSampling: Type.Number({ minimum: 0.01, maximum: 1, description: 'Observability gap: the share of request traces kept (head sampling, whole traces). 1 = all.' }),
    missingLogsShare: Type.Number({ minimum: 0, maximum: 1, description: 'Observability gap: the share of services (drawn from the seed) that ship no logs. 0 = none.' }),
  },
  { additionalProperties: false, description: 'The benchmark knobs, every one filled in: the difficulty preset with any knob set alone on top.' },
);

export type Knobs = Static<typeof KnobsSchema>;

/** The knobs a config may set: any subset, on top of its difficulty preset. */
export const KnobsInputSchema = Type.Partial(KnobsSchema, {
  additionalProperties: false,
  description: 'Benchmark knobs set one by one, on top of the difficulty preset; see NormalizedConfig.knobs for each.',
});

/** The knob values of each difficulty. `easy` is neutral: the generator as it was. */
export const DIFFICULTY_PRESETS: Readonly<Record<Difficulty, Knobs>> = {
  easy: { onsetMinutes: 0, effectScale: 1, symptomAmplification: 0, decoysPerDay: 0, alertStorms: false, concurrency: 1, multiRootShare: 0, traceSampling: 1, missingLogsShare: 0 },
  realistic: { onsetMinutes: 60, effectScale: 0.6, symptomAmplification: 0.5, decoysPerDay: 8, alertStorms: true, concurrency: 2, multiRootShare: 0.1, traceSampling: 0.5, missingLogsShare: 0.1 },
  hard: { onsetMinutes: 180, effectScale: 0.3, symptomAmplification: 0.85, decoysPerDay: 30, alertStorms: true, concurrency: 4, multiRootShare: 0.25, traceSampling: 0.25, missingLogsShare: 0.25 },
};

/** Whether a knob set changes nothing (the data of the generator before the knobs). */
export function neutralKnobs(k: Knobs): boolean {
  const e = DIFFICULTY_PRESETS.easy;
  return (Object.keys(e) as (keyof Knobs)[]).every((key) => k[key] === e[key]);
}
