// Do the metrics and the spans tell the same story? The error-rate metric against the failed share
// of the sampled spans, and the latency metric against span durations.
import type { Correlation, ValidationReport } from './report.ts';
import { ERROR_RATE, HOUR_MS, SIGNATURE_METRICS, type SeriesStore } from './series.ts';
import { errorCorrelation, pearson } from './stats.ts';

/** The error-rate and latency metrics against the sampled spans, once the baselines are in. */
export function createSignalCheck(store: SeriesStore) {
  const { hosts, value, total, g } = store;
  function errorRate(): ValidationReport['errorRate'] {
    const hx: number[] = [];
    const hy: number[] = [];
    const hn: number[] = [];
    const cells = new Map<string, { expected: number; spans: number; failed: number }>();
    let expected = 0;
    let failed = 0;
    for (const host of hosts.values()) {
      for (let k = 0; k < total; k++) {
        const n = host.spans[k] as number;
        const rate = value(host, ERROR_RATE, k);
        if (n === 0 || Number.isNaN(rate)) continue;
        const f = host.failed[k] as number;
        hx.push(rate / 100);
        hy.push(f / n);
        hn.push(n);
        expected += (n * rate) / 100;
        failed += f;
        const key = `${host.service}|${Math.floor((k * g) / HOUR_MS)}`;
        const c = cells.get(key) ?? { expected: 0, spans: 0, failed: 0 };
        c.expected += (n * rate) / 100;
        c.spans += n;
        c.failed += f;
        cells.set(key, c);
      }
    }
    const sx: number[] = [];
    const sy: number[] = [];
    const sn: number[] = [];
    for (const c of cells.values()) {
      sx.push(c.expected / c.spans);
      sy.push(c.failed / c.spans);
      sn.push(c.spans);
    }
    return {
      serviceHour: errorCorrelation(sx, sy, sn, 'service × hour: the metric averaged over the sampled spans of the service in the hour, against their failed share'),
      hostInterval: errorCorrelation(hx, hy, hn, 'host × interval with at least one sampled span'),
      expectedFailedSpans: Math.round(expected),
      failedSpans: failed,
    };
  }

  /**
   * Whether latency in the metrics and in the spans move together: per service and hour, the
   * latency metric relative to each host's median (averaged over the sampled spans) against the
   * mean span duration relative to the service's. Relative, because a span's duration includes its
   * callees' while the metric is the host's own.
   */
  function latency(): Correlation {
    const LAT = SIGNATURE_METRICS.indexOf('net.latency.ms');
    const cells = new Map<string, { service: string; x: number; y: number; n: number }>();
    const perService = new Map<string, { y: number; n: number }>();
    for (const host of hosts.values()) {
      const med = host.median[LAT] as number;
      for (let k = 0; k < total; k++) {
        const n = host.spans[k] as number;
        const v = value(host, LAT, k);
        if (n === 0 || Number.isNaN(v) || !(med > 0)) continue;
        const key = `${host.service}|${Math.floor((k * g) / HOUR_MS)}`;
        const c = cells.get(key) ?? { service: host.service, x: 0, y: 0, n: 0 };
        c.x += (n * v) / med;
        c.y += host.durations[k] as number;
        c.n += n;
        cells.set(key, c);
        const sv = perService.get(host.service) ?? { y: 0, n: 0 };
        sv.y += host.durations[k] as number;
        sv.n += n;
        perService.set(host.service, sv);
      }
    }
    const xs: number[] = [];
    const ys: number[] = [];
    for (const c of cells.values()) {
      const sv = perService.get(c.service) as { y: number; n: number };
      xs.push(c.x / c.n);
      ys.push(c.y / c.n / (sv.y / sv.n));
    }
    return { r: pearson(xs, ys), ceiling: null, cells: xs.length, cell: 'service × hour: latency metric / host median, against mean span duration / service mean' };
  }

  return { errorRate, latency };
}
