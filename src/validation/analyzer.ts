// The validator's entry: measures a dataset day by day against its catalog and reports. Each
// family of checks is its own module (as src/output is per format), over the per-host series they
// share (series.ts):
//   traces-check   trace trees, sampled spans, logs joined to spans
//   labels-check   labels, detection per incident type, false alarms, midnight crossings
//   signals-check  error-rate and latency metrics against the spans
//   events-check   alerts against the metric, cause events
//   cascade-check  cascades callee → caller and their causal order
//   ranker         the reference root-cause ranker
//   bars           the bars a dataset must reach
import type { AnalyzerOptions, CatalogLike, DayInput } from './input.ts';
import { parseTime } from './input.ts';
import { bars } from './bars.ts';
import { createCascadeCheck } from './cascade-check.ts';
import { createEventCheck } from './events-check.ts';
import { createLabelCheck } from './labels-check.ts';
import { createRanker } from './ranker.ts';
import type { ValidationReport } from './report.ts';
import { createSeriesStore, SIGNATURE_METRICS } from './series.ts';
import { createSignalCheck } from './signals-check.ts';
import { createTraceCheck } from './traces-check.ts';

export type { AnalyzerOptions, CatalogIncidentLike, CatalogLike, DayInput } from './input.ts';
export { parseTime } from './input.ts';
export { bars, CORRELATION_MIN_CEILING } from './bars.ts';

/**
 * Measures a dataset day by day (memory grows with hosts × intervals, not with records), then
 * reports. Pure: the caller reads the files and hands over parsed days, in any order.
 */
export function createAnalyzer(catalog: CatalogLike, options: AnalyzerOptions) {
  const store = createSeriesStore(options);
  const graph = catalog.generation_config?.service_dependencies;
  const traces = createTraceCheck(store, graph);
  const labels = createLabelCheck(store, catalog);
  const signals = createSignalCheck(store);
  const events = createEventCheck(store, catalog);
  const cascade = createCascadeCheck(store, catalog, traces.calls);
  const ranker = createRanker(store, catalog);

  function addMetrics(rows: DayInput['metrics']): void {
    for (const m of rows) {
      const k = store.slot(parseTime(m.timestamp));
      const values = m.metrics as Record<string, unknown> | undefined;
      if (k < 0 || typeof m.host_id !== 'string' || !values) continue;
      const s = store.series(m.host_id, String(m.service));
      for (let j = 0; j < SIGNATURE_METRICS.length; j++) {
        const v = values[SIGNATURE_METRICS[j] as string];
        if (typeof v === 'number') (s.values[j] as Float32Array)[k] = v;
      }
    }
  }

  return {
    /** Adds one day; days may come in any order, but a day's logs are joined to its own and the previous day handed in. */
    addDay(day: DayInput): void {
      addMetrics(day.metrics);
      traces.addDay(day.traces, day.logs);
      if (day.labels) labels.addLabels(day.date, day.labels);
      events.addEvents(day.events);
    },

    finish(): ValidationReport {
      store.baselines();
      labels.finish();
      const alerts = events.alerts();
      const detect = labels.detection();
      const alarms = labels.falseAlarms();
      const rate = signals.errorRate();
      const { traces: traceFigures, logs } = traces.report();
      const report = {
        dataset: {
          startDate: new Date(options.startMs).toISOString().slice(0, 10),
          days: options.days,
          granularityMinutes: options.granularityMinutes,
          hosts: store.hosts.size,
          services: store.serviceHosts.size,
          incidents: catalog.incidents.length,
          primaryIncidents: catalog.incidents.filter((i) => i.is_primary !== false).length,
          labelFiles: labels.hasLabelFiles(),
          callGraph: graph ? ('catalog' as const) : ('traces' as const),
        },
        method: {
          zThreshold: store.z,
          baseline: "per host and metric, over every interval of the dataset: the median, and 1.4826 × MAD + 1 % of the median + a small per-metric floor as the scale",
          departure: `robust z = (value − median) / scale ≥ ${store.z}, upward (every signature is a rise)`,
        },
        detection: detect,
        falseAlarms: alarms,
        traces: traceFigures,
        logs,
        errorRate: rate,
        latency: signals.latency(),
        alerts,
        cascades: cascade.cascades(),
        causalOrder: cascade.causalOrder(),
        midnight: labels.midnight(),
        causeEvents: events.causeEvents(),
        ranker: ranker.ranker(),
      };
      return { ...report, bars: bars(report) };
    },
  };
}

export type Analyzer = ReturnType<typeof createAnalyzer>;
