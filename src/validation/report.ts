/** A share or a count with what it was computed from, so every figure can be checked by hand. */
export interface Ratio {
  readonly numerator: number;
  readonly denominator: number;
  /** numerator / denominator, rounded to 4 decimals; null when nothing was measured. */
  readonly value: number | null;
}

/** A Pearson correlation and the number of cells it was computed over. */
export interface Correlation {
  readonly r: number | null;
  /** The r a metric equal to the true failure probability would reach, given the spans sampled per cell. */
  readonly ceiling: number | null;
  readonly cells: number;
  /** What one cell is. */
  readonly cell: string;
}

/** One bar of issue 4: the figure, the bound it must meet and whether it does. */
export interface Bar {
  readonly name: string;
  readonly value: number | null;
  readonly op: '>=' | '<=';
  readonly bound: number;
  readonly pass: boolean;
}

/** What `npm run validate` prints and `GET /v1/jobs/{id}/report` returns. */
export interface ValidationReport {
  readonly dataset: {
    readonly startDate: string;
    readonly days: number;
    readonly granularityMinutes: number;
    readonly hosts: number;
    readonly services: number;
    readonly incidents: number;
    readonly primaryIncidents: number;
    /** Whether per-day label files were found (else the catalog's windows stand in for them). */
    readonly labelFiles: boolean;
    /** Where the call graph came from: the catalog's config, or the parent → child edges seen in traces. */
    readonly callGraph: 'catalog' | 'traces';
  };
  readonly method: {
    readonly zThreshold: number;
    readonly baseline: string;
    readonly departure: string;
  };
  /** Per incident type (primary and cascaded): incidents whose signature metric departs on an affected host during the window. */
  readonly detection: Readonly<Record<string, Ratio & { readonly metric: string }>>;
  /** Host-intervals outside every incident that depart on any signature metric. */
  readonly falseAlarms: Ratio;
  readonly traces: {
    /** Traces with one root, every parent present, no cycle, every edge a call of the graph, children inside their parents. */
    readonly validTrees: Ratio;
    readonly spans: number;
  };
  readonly logs: {
    /** Log lines whose trace and span exist. */
    readonly joined: Ratio;
    /** Log lines whose level says what their span's status says (ERROR exactly when the span failed). */
    readonly levelMatchesSpan: Ratio;
  };
  readonly errorRate: {
    /** `app.error_rate` against the failed share of the sampled spans, per service and hour. */
    readonly serviceHour: Correlation;
    /** The same per host and interval: bounded by sampling, see docs/GROUND_TRUTH.md. */
    readonly hostInterval: Correlation;
    /** Sum of the metric's failure probability over every sampled span, against the failed spans counted. */
    readonly expectedFailedSpans: number;
    readonly failedSpans: number;
  };
  /** The latency metric against span durations, both relative to their normal level, per service and hour. */
  readonly latency: Correlation;
  /** ALERT_TRIGGER events whose current_value is the metric at that host and time, and above threshold_value. */
  readonly alerts: Ratio;
  /** Cascaded incidents whose parent's service is a callee of theirs (failures travel callee → caller). */
  readonly cascades: Ratio;
  /**
   * Cascaded incidents whose signature departs no earlier than their parent's (both detected; those
   * sharing hosts with another cascade at the time are left out): the root cause moves first.
   */
  readonly causalOrder: Ratio;
  /** Incidents crossing midnight (and ending inside the dataset) that are present on every day they cover. */
  readonly midnight: Ratio;
  /** Changes named as causes that exist in the events, before the incident, on its service. */
  readonly causeEvents: Ratio;
  /** Baseline root-cause ranker: services by anomaly onset, then size, in the first hour of each primary. */
  readonly ranker: {
    readonly top1: Ratio;
    readonly top3: Ratio;
    /** What picking 3 services at random would score. */
    readonly randomTop3: number;
    /** Primaries not ranked: a region (partition) has no root service, or the first hour is outside the data. */
    readonly skipped: number;
  };
  readonly bars: readonly Bar[];
}
