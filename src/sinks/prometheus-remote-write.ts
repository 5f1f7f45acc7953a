// Prometheus remote write 1.0: a snappy-compressed (block format) protobuf WriteRequest POSTed
// with `Content-Encoding: snappy` and `X-Prometheus-Remote-Write-Version: 0.1.0`. Encoded with
// protobufjs from the prompb messages (src/sinks/protos/remote-write.proto), compressed with the
// `snappy` package (napi-rs bindings of Google's snappy). Names and labels as the OpenMetrics files.
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { compressSync } from 'snappy';
import { METRIC_KEYS } from '../core/incident-types.ts';
import type { MetricRecord } from '../core/records.ts';
import { OPENMETRICS_NAMES } from '../output/openmetrics.ts';
import { deliver, type DeliveryOptions } from './http-delivery.ts';
import { createBatchingSink, type Sink } from './sink.ts';

const PROTO = fileURLToPath(new URL('./protos/remote-write.proto', import.meta.url)); // copied next to the compiled module by npm run build
let writeRequestType: protobuf.Type | null = null;

/** The WriteRequest message type, loaded once. */
export function writeRequestMessage(): protobuf.Type {
  writeRequestType ??= protobuf.loadSync(PROTO).lookupType('prometheus.WriteRequest');
  return writeRequestType;
}

export interface RemoteWriteSinkOptions extends DeliveryOptions {
  /** The receiver, e.g. `http://127.0.0.1:9090/api/v1/write`. */
  readonly url: string;
  /** Rows batched per request. Default 2000 (16,000 samples). */
  readonly batchRows?: number;
}

/** The uncompressed WriteRequest of a batch of rows: a series per host and metric, samples in time order. */
export function writeRequestBytes(rows: readonly MetricRecord[]): Uint8Array {
  const series = new Map<string, { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] }[]>();
  for (const r of rows) {
    let perMetric = series.get(r.host_id);
    if (!perMetric) {
      perMetric = METRIC_KEYS.map((k) => ({
        // Sorted by name, as the protocol asks: __name__, host_id, region, service.
        labels: [
          { name: '__name__', value: OPENMETRICS_NAMES[k] },
          { name: 'host_id', value: r.host_id },
          { name: 'region', value: r.region },
          { name: 'service', value: r.service },
        ],
        samples: [],
      }));
      series.set(r.host_id, perMetric);
    }
    const ms = Date.parse(r.timestamp);
    METRIC_KEYS.forEach((k, j) => (perMetric[j] as { samples: { value: number; timestamp: number }[] }).samples.push({ value: r.metrics[k], timestamp: ms }));
  }
  const type = writeRequestMessage();
  for (const list of series.values()) for (const s of list) s.samples.sort((a, b) => a.timestamp - b.timestamp);
  return type.encode(type.fromObject({ timeseries: [...series.values()].flat() })).finish();
}

/** A sink into a Prometheus remote-write receiver (Prometheus with --web.enable-remote-write-receiver, Mimir, Thanos, VictoriaMetrics…). */
export function createRemoteWriteSink(options: RemoteWriteSinkOptions): Sink {
  const headers = { 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', ...options.headers };
  return createBatchingSink(options.batchRows ?? 2000, async (rows, stats) => {
    const body = new Uint8Array(compressSync(Buffer.from(writeRequestBytes(rows))));
    await deliver(options.url, body, 'application/x-protobuf', stats, { ...options, headers });
    stats.samplesSent += rows.length * METRIC_KEYS.length;
  });
}
