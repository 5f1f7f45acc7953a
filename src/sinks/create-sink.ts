// The sinks by name, as the command line, the replay route and the stream route take them.
import type { Dispatcher } from 'undici';
import { createOtlpHttpSink, type OtlpEncoding } from './otlp-http.ts';
import { createRemoteWriteSink } from './prometheus-remote-write.ts';
import type { Sink } from './sink.ts';
import { createVictoriaMetricsSink } from './victoriametrics.ts';

/** The sink types, as the API and the command line name them. */
export const SINK_TYPES = ['prometheus-remote-write', 'victoriametrics', 'otlp-http'] as const;
export type SinkType = (typeof SINK_TYPES)[number];

/** Where and how to send: a sink's type, its URL, and extra headers (credentials among them). */
export interface SinkSpec {
  readonly type: SinkType;
  /**
   * prometheus-remote-write: the receiver's URL (`…/api/v1/write`); victoriametrics: the server's
   * base URL; otlp-http: the collector's base URL (`/v1/traces`, `/v1/logs`, `/v1/metrics` are added).
   */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** otlp-http only: `protobuf` (the default, what every OTLP receiver takes) or `json`. */
  readonly encoding?: OtlpEncoding;
}

/** How a sink sends: `signal` stops its requests in flight and its retries; `dispatcher` is the HTTP client (the service's applies the allowlist). */
export interface SinkTransport {
  readonly signal?: AbortSignal;
  readonly dispatcher?: Dispatcher;
}

/** The sink a spec names. */
export function createSink(spec: SinkSpec, transport: SinkTransport = {}): Sink {
  const common = { url: spec.url, headers: spec.headers ?? {}, ...transport };
  switch (spec.type) {
    case 'prometheus-remote-write':
      return createRemoteWriteSink(common);
    case 'victoriametrics':
      return createVictoriaMetricsSink(common);
    case 'otlp-http':
      return createOtlpHttpSink({ ...common, encoding: spec.encoding ?? 'protobuf' });
  }
}
