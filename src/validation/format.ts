import type { Correlation, Ratio, ValidationReport } from './report.ts';

function share(x: Ratio): string {
  if (x.value === null) return 'n/a (nothing to measure)';
  return `${(x.value * 100).toFixed(2).padStart(6)} %  (${x.numerator} / ${x.denominator})`;
}

function corr(c: Correlation): string {
  return c.r === null ? 'n/a' : `r = ${c.r.toFixed(3)}, sampling ceiling ${c.ceiling === null ? 'n/a' : c.ceiling.toFixed(3)}  (${c.cells} cells)`;
}

/** The report as a text table for people: every figure with its numerator and denominator. */
export function formatReport(r: ValidationReport): string {
  const d = r.dataset;
  const lines: string[] = [
    `meltgen validation report`,
    `dataset: ${d.days} days from ${d.startDate}, ${d.granularityMinutes}-minute steps, ${d.hosts} hosts, ${d.services} services; ` +
      `${d.incidents} incidents (${d.primaryIncidents} primary); label files: ${d.labelFiles ? 'yes' : 'no (catalog windows used)'}; call graph from the ${d.callGraph}`,
    `departure: ${r.method.departure}`,
    `baseline:  ${r.method.baseline}`,
    '',
    'Detection: incidents whose signature metric departs on an affected host during the window',
  ];
  for (const [type, x] of Object.entries(r.detection)) {
    if (x.denominator > 0) lines.push(`  ${type.padEnd(24)} ${x.metric.padEnd(24)} ${share(x)}`);
  }
  lines.push(
    '',
    `False alarms: host-intervals outside every incident that depart    ${share(r.falseAlarms)}`,
    `Trace trees valid (one root, parents present, graph edges, nested) ${share(r.traces.validTrees)}`,
    `Logs joined to their span                                          ${share(r.logs.joined)}`,
    `Log level agrees with the span status                              ${share(r.logs.levelMatchesSpan)}`,
    `app.error_rate vs failed spans, per service × hour                 ${corr(r.errorRate.serviceHour)}`,
    `app.error_rate vs failed spans, per host × interval                ${corr(r.errorRate.hostInterval)}`,
    `failed spans expected from the metric / counted                    ${r.errorRate.expectedFailedSpans} / ${r.errorRate.failedSpans}`,
    `net.latency.ms vs span durations (relative), per service × hour   ${corr(r.latency).replace(', sampling ceiling n/a', '')}`,
    `Alerts equal to the metric and above threshold                     ${share(r.alerts)}`,
    `Cascades callee → caller                                           ${share(r.cascades)}`,
    `Causal order: a cascaded incident moves no earlier than its parent ${share(r.causalOrder)}`,
    `Midnight-crossing incidents present on every day they cover        ${share(r.midnight)}`,
    `Cause events present, on the service, within the hour before       ${share(r.causeEvents)}`,
    `Baseline root-cause ranker top-1                                   ${share(r.ranker.top1)}`,
    `Baseline root-cause ranker top-3                                   ${share(r.ranker.top3)}  (random: ${(r.ranker.randomTop3 * 100).toFixed(0)} %, ${r.ranker.skipped} primaries not ranked)`,
    '',
    'Bars',
  );
  for (const b of r.bars) {
    lines.push(`  ${b.pass ? 'PASS' : 'FAIL'}  ${b.name.padEnd(46)} ${b.value === null ? 'n/a' : String(b.value)} ${b.op} ${b.bound}`);
  }
  return lines.join('\n') + '\n';
}
