import { resolve } from 'node:path';
import { createSink, SINK_TYPES, type SinkType } from '../sinks/create-sink.ts';
import { replayDataset, type TimeShift } from '../sinks/replay.ts';
import { parseCommand, usageError, runIfMain, type CliIo } from './main.ts';

const HELP = `Usage: npm run replay -- --sink TYPE --url URL [options]

Pushes a melt_data/ dataset into an observability platform, day by day, in the platform's own
protocol: metrics into Prometheus or VictoriaMetrics (names and labels as the OpenMetrics files,
system_cpu_util{host_id, service, region}); metrics, traces, logs and events over OTLP/HTTP.

Sinks:
  prometheus-remote-write   Prometheus remote write 1.0 (snappy protobuf); URL of the receiver,
                            e.g. http://127.0.0.1:9090/api/v1/write
  victoriametrics           VictoriaMetrics /api/v1/import (JSON lines); URL of the server,
                            e.g. http://127.0.0.1:8428
  otlp-http                 OTLP/HTTP (protobuf, or JSON with --encoding json) to /v1/traces,
                            /v1/logs and /v1/metrics; URL of the receiver, e.g.
                            http://127.0.0.1:4318 (an OpenTelemetry Collector)

Options:                                                                       [default]
  --sink TYPE           prometheus-remote-write, victoriametrics or otlp-http (required)
  --url URL             where to send (required)
  --dataset DIR         the melt_data folder                                   [./melt_data]
  --time-shift none|now now: move the dataset so that it ends now            [none]
  --header 'K: V'       an extra request header (credentials); repeatable
  --encoding E          otlp-http only: protobuf or json                       [protobuf]
  -h, --help            this text

Examples:
  npm run replay -- --sink victoriametrics --url http://127.0.0.1:8428 --dataset data/week
  npm run replay -- --sink prometheus-remote-write --url http://127.0.0.1:9090/api/v1/write --time-shift now
  npm run replay -- --sink otlp-http --url http://127.0.0.1:4318 --time-shift now

Exit codes: 0 sent, 1 the destination refused a batch, 2 bad option or unreadable dataset.
`;

const OPTIONS = {
  sink: { type: 'string' },
  url: { type: 'string' },
  dataset: { type: 'string' },
  'time-shift': { type: 'string' },
  header: { type: 'string', multiple: true },
  encoding: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the command; resolves to the exit code (0 sent, 1 refused, 2 bad usage or dataset). */
export async function runReplayCli(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, OPTIONS, HELP, io, false);
  if (typeof args === 'number') return args;
  const v = args.values;
  const usage = (message: string): number => usageError(io, message);
  if (v.sink === undefined || !(SINK_TYPES as readonly string[]).includes(v.sink)) return usage(`--sink must be one of: ${SINK_TYPES.join(', ')}`);
  const encoding = v.encoding ?? 'protobuf';
  if (encoding !== 'protobuf' && encoding !== 'json') return usage('--encoding must be protobuf or json');
  if (v.encoding !== undefined && v.sink !== 'otlp-http') return usage('--encoding applies to --sink otlp-http only');
  if (v.url === undefined || !/^https?:\/\//.test(v.url)) return usage('--url must be an http:// or https:// URL');
  const shift = v['time-shift'] ?? 'none';
  if (shift !== 'none' && shift !== 'now') return usage('--time-shift must be none or now');
  const headers: Record<string, string> = {};
  for (const h of v.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) return usage(`--header must be 'Name: value', got "${h}"`);
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  const sink = createSink({ type: v.sink as SinkType, url: v.url, headers, encoding });
  const dir = resolve(v.dataset ?? 'melt_data');
  const started = Date.now();
  try {
    const result = await replayDataset(dir, sink, {
      timeShift: shift as TimeShift,
      onDay: (done, total, stats) => io.stderr.write(`\r${done}/${total} days, ${stats.samplesSent} samples sent`),
    });
    const seconds = (Date.now() - started) / 1000;
    io.stderr.write('\n');
    io.stdout.write(
      `${result.stats.samplesSent} samples${sink.signals.includes('traces') ? `, ${result.stats.spansSent} spans, ${result.stats.logsSent} log records` : ''} of ${result.days} days sent to ${v.sink} in ${seconds.toFixed(1)} s` +
        `${result.shiftMs ? `, moved by ${Math.round(result.shiftMs / 86_400_000)} days` : ''}; ${result.stats.retries} retries\n`,
    );
    return 0;
  } catch (e) {
    io.stderr.write('\n');
    const message = (e as Error).message;
    if ((e as Error).name === 'DeliveryError') {
      io.stderr.write(`replay: ${message}\n`);
      return 1;
    }
    return usage(`replay: ${message}`);
  }
}

runIfMain(import.meta.url, 'replay', runReplayCli);
