// The bars: the figures a generated dataset must reach.
import type { Bar, Ratio, ValidationReport } from './report.ts';

/** Below this sampling ceiling the error rates hardly vary beyond sampling noise: no correlation bar. */
export const CORRELATION_MIN_CEILING = 0.5;

/** The bars of issue 4, checked against a report. */
export function bars(r: Omit<ValidationReport, 'bars'>): Bar[] {
  const bar = (name: string, value: number | null, op: '>=' | '<=', bound: number): Bar => ({
    name,
    value,
    op,
    bound,
    pass: value !== null && (op === '>=' ? value >= bound : value <= bound),
  });
  const out: Bar[] = [];
  for (const [type, d] of Object.entries(r.detection)) if (d.denominator > 0) out.push(bar(`${type} detected`, d.value, '>=', 0.95));
  out.push(bar('false alarms', r.falseAlarms.value, '<=', 0.005));
  out.push(bar('valid trace trees', r.traces.validTrees.value, '>=', 1));
  out.push(bar('logs joined to their span', r.logs.joined.value, '>=', 1));
  // A correlation means something only where error rates vary beyond sampling noise: with no
  // incident (a ceiling near 0) there is nothing to correlate, and no bar.
  const { r: corr, ceiling } = r.errorRate.serviceHour;
  if (ceiling !== null && ceiling >= CORRELATION_MIN_CEILING) {
    out.push(bar('error-rate correlation (service × hour)', corr, '>=', 0.9));
    out.push(bar('error-rate correlation / its sampling ceiling', corr === null ? null : Math.round((corr / ceiling) * 10000) / 10000, '>=', 0.95));
  }
  // A figure with nothing to measure (no cascade, no alert...) is not a bar of this dataset.
  const measured = (name: string, x: Ratio, bound: number): void => {
    if (x.denominator > 0) out.push(bar(name, x.value, '>=', bound));
  };
  measured('cascades callee → caller', r.cascades, 1);
  measured('causal order along cascades', r.causalOrder, 1);
  measured('alerts equal to the metric', r.alerts, 1);
  measured('midnight-crossing incidents whole', r.midnight, 1);
  measured('baseline ranker top-3', r.ranker.top3, 0.8);
  return out;
}
