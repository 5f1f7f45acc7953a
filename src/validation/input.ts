// What the analyzer reads: the catalog's fields, one day's parsed records, the options and the
// timestamps. A leaf module, so the families of checks can share it without importing the entry.

/** The catalog fields the validator reads; anything else in it is ignored, anything missing is tolerated. */
export interface CatalogLike {
  readonly generation_config?: {
    readonly granularity_minutes?: number;
    readonly service_dependencies?: Readonly<Record<string, readonly string[]>>;
  };
  readonly incidents: readonly CatalogIncidentLike[];
  /** Harmless anomalies the benchmark knobs add (in no label). */
  readonly decoys?: readonly { readonly hosts: readonly string[]; readonly start_time: string; readonly end_time: string }[];
}

export interface CatalogIncidentLike {
  readonly id: string;
  readonly type: string;
  readonly target_service?: string | null;
  readonly start_time: string;
  readonly end_time: string;
  readonly is_primary?: boolean;
  readonly parent_incident_id?: string | null;
  readonly primary_incident_id?: string | null;
  readonly affected_hosts?: readonly string[];
  readonly caused_by_event_id?: string | null;
}

/** One parsed record of any signal. */
export type Row = Record<string, unknown>;

/** One day of a dataset as parsed JSON; a signal that is not there is an empty list, labels null. */
export interface DayInput {
  readonly date: string;
  readonly metrics: readonly Row[];
  readonly traces: readonly Row[];
  readonly logs: readonly Row[];
  readonly events: readonly Row[];
  readonly labels: readonly Row[] | null;
}

export interface AnalyzerOptions {
  /** Midnight (UTC) of the first day, in ms. */
  readonly startMs: number;
  readonly days: number;
  readonly granularityMinutes: number;
  /** Robust z-score at or above which a value departs from its host's baseline. Default 4. */
  readonly zThreshold?: number;
}

/** Timestamps with Z, or without a zone as the original wrote them (read as UTC). */
export function parseTime(text: unknown): number {
  if (typeof text !== 'string') return Number.NaN;
  const t = text.includes('T') ? text : text.replace(' ', 'T');
  return Date.parse(/Z$|[+-]\d\d:?\d\d$/.test(t) ? t : `${t}Z`);
}
