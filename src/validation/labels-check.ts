// The labels (or, for the original's datasets, the catalog's windows): which host-intervals are
// incidents; detection of each incident type's signature on them, false alarms off them, and
// incidents that cross midnight present on every day they cover.
import { INCIDENT_SPECS, INCIDENT_TYPES } from '../core/incident-types.ts';
import type { CatalogLike, Row } from './input.ts';
import { parseTime } from './input.ts';
import type { Ratio, ValidationReport } from './report.ts';
import { SIGNATURE_METRICS, type SeriesStore } from './series.ts';
import { ratio } from './stats.ts';

/** Collects the label files; then detection per incident type, false alarms and midnight crossings. */
export function createLabelCheck(store: SeriesStore, catalog: CatalogLike) {
  const { hosts, series, slot, value, departs, total, g, startMs, endMs, signature, firstDeparture } = store;
  let labelFiles = false;
  const labeledDays = new Map<string, Set<string>>();

  function addLabels(date: string, rows: readonly Row[]): void {
    labelFiles = true;
    for (const r of rows) {
      const k = slot(parseTime(r.timestamp));
      const host = typeof r.host_id === 'string' ? series(r.host_id, String(r.service)) : null;
      if (host && k >= 0) host.labeled[k] = 1;
      for (const e of (r.incidents as Row[] | undefined) ?? []) {
        const id = String(e.incident_id);
        let days = labeledDays.get(id);
        if (!days) labeledDays.set(id, (days = new Set()));
        days.add(date);
      }
    }
  }

  /** Without label files, the catalog's windows on each incident's hosts stand in for them. */
  function labelsFromCatalog(): void {
    for (const inc of catalog.incidents) {
      const from = Math.max(0, slot(parseTime(inc.start_time)));
      const endK = Math.floor((Math.min(endMs, parseTime(inc.end_time)) - startMs - 1) / g);
      for (const id of inc.affected_hosts ?? []) {
        const host = hosts.get(id);
        if (host) for (let k = from; k <= endK && k < total; k++) host.labeled[k] = 1;
      }
    }
  }

  function detection(): ValidationReport['detection'] {
    const out: Record<string, Ratio & { metric: string }> = {};
    const counts = new Map<string, [number, number]>();
    for (const inc of catalog.incidents) {
      const sig = signature(inc);
      if (!sig) continue;
      const found = firstDeparture(inc, sig.metric, sig.from, sig.to) !== null;
      const c = counts.get(inc.type) ?? [0, 0];
      counts.set(inc.type, [c[0] + (found ? 1 : 0), c[1] + 1]);
    }
    for (const t of INCIDENT_TYPES) {
      const c = counts.get(t) ?? [0, 0];
      out[t] = { ...ratio(c[0], c[1]), metric: INCIDENT_SPECS[t].metric };
    }
    return out;
  }

  function falseAlarms(): Ratio {
    let outside = 0;
    let alarms = 0;
    for (const host of hosts.values()) {
      for (let k = 0; k < total; k++) {
        if (host.labeled[k] === 1 || Number.isNaN(value(host, 0, k))) continue;
        outside++;
        for (let j = 0; j < SIGNATURE_METRICS.length; j++) {
          if (departs(host, j, k)) {
            alarms++;
            break;
          }
        }
      }
    }
    return ratio(alarms, outside);
  }

  function midnight(): Ratio {
    let n = 0;
    let ok = 0;
    for (const inc of catalog.incidents) {
      const start = parseTime(inc.start_time);
      const end = parseTime(inc.end_time);
      const first = new Date(start).toISOString().slice(0, 10);
      const last = new Date(end - 1).toISOString().slice(0, 10);
      if (first === last || start < startMs || end > endMs) continue;
      n++;
      if (labelFiles) {
        const days = labeledDays.get(inc.id);
        let whole = true;
        for (let d = Date.parse(`${first}T00:00:00Z`); d < end; d += 86_400_000) whole &&= days?.has(new Date(d).toISOString().slice(0, 10)) === true;
        if (whole) ok++;
      } else {
        // No labels: the signature shows on each side of midnight.
        const sig = signature(inc);
        if (!sig) continue;
        const cut = Math.floor((Date.parse(`${last}T00:00:00Z`) - startMs) / g);
        if (firstDeparture(inc, sig.metric, sig.from, cut - 1) !== null && firstDeparture(inc, sig.metric, cut, sig.to) !== null) ok++;
      }
    }
    return ratio(ok, n);
  }

  return {
    addLabels,
    /** Whether the dataset has label files (ours) or not (the original's). */
    hasLabelFiles: (): boolean => labelFiles,
    /** Once every day is in: the catalog's windows stand in for missing label files. */
    finish(): void {
      if (!labelFiles) labelsFromCatalog();
    },
    detection,
    falseAlarms,
    midnight,
  };
}
