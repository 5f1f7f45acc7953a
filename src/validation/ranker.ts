// The reference root-cause ranker: a simple, documented method whose accuracy says how visible
// the root causes are (the benchmark's own baselines are in src/benchmark/baselines).
import type { CatalogLike } from './input.ts';
import { parseTime } from './input.ts';
import type { ValidationReport } from './report.ts';
import { HOUR_MS, SIGNATURE_METRICS, type SeriesStore } from './series.ts';
import { ratio } from './stats.ts';

/** The baseline root-cause ranker over the series, once the baselines are in. */
export function createRanker(store: SeriesStore, catalog: CatalogLike) {
  const { slot, zAt, departs, total, g, z, endMs, serviceHosts } = store;
  /**
   * The reference ranker: in the first hour of a primary, each service's earliest new departure
   * (a host-metric that was normal in the interval before the incident) and its largest z; services
   * ranked by onset, then by size; services with no new departure last.
   */
  function ranker(): ValidationReport['ranker'] {
    let ranked = 0;
    let top1 = 0;
    let top3 = 0;
    let skipped = 0;
    const services = [...serviceHosts.keys()].sort();
    for (const inc of catalog.incidents) {
      if (inc.is_primary === false) continue;
      const start = parseTime(inc.start_time);
      const k0 = slot(start);
      if (!inc.target_service || k0 < 1 || start + HOUR_MS > endMs) {
        skipped++;
        continue;
      }
      const k1 = Math.min(total - 1, k0 + Math.max(1, Math.round(HOUR_MS / g)) - 1);
      const score = services.map((service) => {
        let onset = Number.POSITIVE_INFINITY;
        let size = 0;
        for (const host of serviceHosts.get(service) ?? []) {
          for (let j = 0; j < SIGNATURE_METRICS.length; j++) {
            if (departs(host, j, k0 - 1)) continue;
            for (let k = k0; k <= k1; k++) {
              const zz = zAt(host, j, k);
              if (zz >= z) {
                onset = Math.min(onset, k);
                size = Math.max(size, zz);
              }
            }
          }
        }
        return { service, onset, size };
      });
      score.sort((a, b) => a.onset - b.onset || b.size - a.size || (a.service < b.service ? -1 : 1));
      ranked++;
      if (score[0]?.service === inc.target_service) top1++;
      if (score.slice(0, 3).some((s) => s.service === inc.target_service)) top3++;
    }
    return { top1: ratio(top1, ranked), top3: ratio(top3, ranked), randomTop3: Math.round((Math.min(3, services.length) / Math.max(1, services.length)) * 10000) / 10000, skipped };
  }

  return { ranker };
}
