// Events: alerts whose value is the metric's and above their threshold, and every change the
// catalog names as a cause present, before its incident, on its service.
import type { MetricKey } from '../core/incident-types.ts';
import type { CatalogLike, Row } from './input.ts';
import { parseTime } from './input.ts';
import type { Ratio } from './report.ts';
import { HOUR_MS, SIGNATURE_METRICS, type SeriesStore } from './series.ts';
import { ratio } from './stats.ts';

/** Collects the day's events; then alerts equal to the metric, and cause events before their incidents. */
export function createEventCheck(store: SeriesStore, catalog: CatalogLike) {
  const { hosts, slot, value } = store;
  const pendingAlerts: Row[] = [];
  const eventsById = new Map<string, { type: string; ms: number; service: unknown }>();
  let alertCount = 0;
  let alertOk = 0;

  function checkAlerts(): void {
    for (const a of pendingAlerts) {
      alertCount++;
      const host = hosts.get(String(a.source));
      const metric = SIGNATURE_METRICS.indexOf(a.metric as MetricKey);
      const k = slot(parseTime(a.timestamp));
      if (!host || metric < 0 || k < 0) continue;
      const v = value(host, metric, k);
      if (v === Math.fround(Number(a.current_value)) && Number(a.current_value) > Number(a.threshold_value)) alertOk++;
    }
  }

  function causeEvents(): Ratio {
    let n = 0;
    let ok = 0;
    for (const inc of catalog.incidents) {
      if (!inc.caused_by_event_id) continue;
      const start = parseTime(inc.start_time);
      const e = eventsById.get(inc.caused_by_event_id);
      n++;
      if (e && (e.type === 'DEPLOYMENT' || e.type === 'CONFIG_CHANGE') && e.ms < start && start - e.ms <= HOUR_MS && e.service === inc.target_service) ok++;
    }
    return ratio(ok, n);
  }

  return {
    addEvents(rows: readonly Row[]): void {
      for (const e of rows) {
        if (typeof e.event_id === 'string') eventsById.set(e.event_id, { type: String(e.type), ms: parseTime(e.timestamp), service: e.service });
        if (e.type === 'ALERT_TRIGGER') pendingAlerts.push(e);
      }
    },
    /** Once the baselines are in: the alerts checked against the metrics. */
    alerts(): Ratio {
      checkAlerts();
      return ratio(alertOk, alertCount);
    },
    causeEvents,
  };
}
