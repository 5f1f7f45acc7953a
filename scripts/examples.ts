// Records the OpenAPI document's examples from a real server (`npm run examples`, then
// `npm run openapi`): every response example is what the routes answered to a real request on a
// real tiny dataset, every problem example a real error document. Writes src/routes/examples.json.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp, type AppOptions } from '../src/app.ts';
import { datasetDir } from '../src/jobs/job-runner.ts';
import type { ProblemCode } from '../src/plugins/errors.ts';
import type { ExampleSet, NamedExample } from '../src/routes/examples.ts';
import { parseAllowlist } from '../src/sinks/destination-guard.ts';

/** The dataset every response example comes from: the golden one of the tests (test/golden/tiny). */
export const EXAMPLE_CONFIG = { startDate: '2024-06-30', days: 2, hostsPerService: 1, granularityMinutes: 60, incidentRate: 2, seed: 20240601 };

/** Builds and readies an app; `extend` may add routes before it is ready. */
export type MakeApp = (options: AppOptions, extend?: (app: FastifyInstance) => void) => Promise<FastifyInstance>;

/**
 * Runs the requests behind every example on apps made by `makeApp` (a test passes one that checks
 * each response against the document) and returns the examples.
 */
export async function recordExamples(makeApp: MakeApp): Promise<ExampleSet> {
  const root = await mkdtemp(join(tmpdir(), 'meltgen-examples-'));
  const apps: FastifyInstance[] = [];
  async function app(options: Partial<AppOptions> = {}): Promise<FastifyInstance> {
    const a = await makeApp({ dataDir: await mkdtemp(join(root, 'app-')), threadsPerJob: 1, ...options });
    apps.push(a);
    return a;
  }

  async function settle(a: FastifyInstance, id: string, headers: Record<string, string> = {}): Promise<void> {
    for (;;) {
      const job = (await a.inject({ url: `/v1/jobs/${id}`, headers })).json<{ status: string }>();
      if (['succeeded', 'failed', 'canceled'].includes(job.status)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const requests: Record<string, Record<string, NamedExample>> = {};
  const responses: Record<string, Record<string, NamedExample>> = {};
  const problems: Partial<Record<ProblemCode, unknown>> = {};

  function respond(operation: string, status: number, name: string, summary: string, value: unknown, mediaType?: string): void {
    const key = mediaType === undefined ? `${operation} ${status}` : `${operation} ${status} ${mediaType}`;
    responses[key] = { ...responses[key], [name]: { summary, value } };
  }
  function problem(res: LightMyRequestResponse): void {
    const body = res.json<{ code: ProblemCode }>();
    if (problems[body.code] !== undefined) return;
    problems[body.code] = body;
  }
  const json = <T>(res: LightMyRequestResponse): T => res.json<T>();

  requests.createJob = {
    golden: { summary: 'Two days, one host per service, hourly, with incidents (the dataset the response examples come from)', value: EXAMPLE_CONFIG },
    week: { summary: 'A week of the original’s defaults with a fixed seed', value: { days: 7, seed: 42 } },
    custom: {
      summary: 'Your own services and call graph, only database and cascade incidents',
      value: {
        days: 30,
        seed: 1,
        services: [{ name: 'api', calls: ['orders', 'users'] }, { name: 'orders', calls: ['db'] }, { name: 'users', calls: ['db'] }, { name: 'db' }],
        incidentMix: { DB_CONTENTION: 2, CASCADING_FAILURE: 1 },
      },
    },
    metricsAndTraces: { summary: 'Only metrics and traces, 15-minute samples, more traces', value: { startDate: '2024-06-01', days: 2, hostsPerService: 2, seed: 7, signals: ['metrics', 'traces'], tracesPerEntryHost: 4 } },
  };

  // ---- The main dataset ----
  const main = await app();
  const created = await main.inject({ method: 'POST', url: '/v1/jobs', payload: EXAMPLE_CONFIG });
  const job = json<{ id: string }>(created);
  respond('createJob', 202, 'queued', 'A new job (it may already be running)', json(created));
  await settle(main, job.id);
  respond('createJob', 200, 'deduplicated', 'The same config and seed again: the existing job', json(await main.inject({ method: 'POST', url: '/v1/jobs', payload: EXAMPLE_CONFIG })));
  respond('getJob', 200, 'succeeded', 'A finished job', json(await main.inject({ url: `/v1/jobs/${job.id}` })));
  respond('getJobEvents', 200, 'finished', 'A finished job’s events, heard afterwards: its status, its days, the end (a running job also sends `progress` and `status` as they change)', (await main.inject({ url: `/v1/jobs/${job.id}/events` })).body, 'text/event-stream');
  requests.createEstimate = { golden: requests.createJob.golden as NamedExample, week: requests.createJob.week as NamedExample, custom: requests.createJob.custom as NamedExample };
  respond('createEstimate', 200, 'golden', 'The size of the two-day dataset, and what the key uses', json(await main.inject({ method: 'POST', url: '/v1/estimates', payload: EXAMPLE_CONFIG })));
  respond('createEstimate', 200, 'refused', 'A config this server would refuse (a limit of 10 hosts)', json(await (await app({ limits: { maxHosts: 10 } })).inject({ method: 'POST', url: '/v1/estimates', payload: { days: 7 } })));
  const files = json<{ files: { path: string }[] }>(await main.inject({ url: `/v1/jobs/${job.id}/files` }));
  respond('listFiles', 200, 'complete', 'Every file of the finished two-day dataset', files);

  const day = EXAMPLE_CONFIG.startDate;
  const signals = { metrics: 2, events: 0, logs: 3, traces: 3 } as const;
  for (const [signal, n] of Object.entries(signals)) {
    let rows = json<Record<string, unknown>[]>(await main.inject({ url: `/v1/jobs/${job.id}/files/${signal}/${day}` }));
    if (signal === 'events') {
      // One of each type present that day, in file order: events differ by type.
      const seen = new Set<unknown>();
      rows = rows.filter((r) => !seen.has(r.type) && seen.add(r.type));
    } else rows = rows.slice(0, n);
    const summary = `The first records of ${day} (the file holds the whole day)`;
    const op = `get${signal[0]?.toUpperCase()}${signal.slice(1)}Day`;
    respond(op, 200, signal, summary, rows);
    respond('getDayFile', 200, signal, `${signal}: ${summary}`, rows);
  }
  // Ranges: one host's metrics over an hour, and the alerts of the day.
  const host = json<{ host_id: string }[]>(await main.inject({ url: `/v1/jobs/${job.id}/files/metrics/${day}` }))[0]?.host_id ?? '';
  const range = `?host=${host}&from=${day}T10:00:00Z&to=${day}T12:00:00Z`;
  respond('getMetricsDay', 200, 'range', `One host from 10:00 to 12:00 (\`${range}\`)`, json(await main.inject({ url: `/v1/jobs/${job.id}/files/metrics/${day}${range}` })));
  respond('getEventsDay', 200, 'alerts', 'The alerts of the day (`?type=ALERT_TRIGGER`)', json(await main.inject({ url: `/v1/jobs/${job.id}/files/events/${day}?type=ALERT_TRIGGER` })));
  // The same dataset in every format: the other media types of the day files.
  const all = json<{ id: string }>(await main.inject({ method: 'POST', url: '/v1/jobs', payload: { ...EXAMPLE_CONFIG, formats: ['json', 'ndjson', 'parquet', 'otlp', 'openmetrics'] } }));
  await settle(main, all.id);
  const text = async (url: string): Promise<string> => (await main.inject({ url, headers: { 'accept-encoding': 'identity' } })).body;
  for (const signal of Object.keys(signals)) {
    const op = `get${signal[0]?.toUpperCase()}${signal.slice(1)}Day`;
    const ndjson = (await text(`/v1/jobs/${all.id}/files/${signal}/${day}?format=ndjson`)).split('\n').slice(0, 2).join('\n') + '\n';
    const otlp = (await text(`/v1/jobs/${all.id}/files/${signal}/${day}?format=otlp`)).split('\n')[0] + '\n';
    for (const o of [op, 'getDayFile']) {
      respond(o, 200, `${signal}-ndjson`, `${signal} as NDJSON: the first lines of ${day}`, ndjson, 'application/x-ndjson');
      respond(o, 200, `${signal}-otlp`, `${signal} as OTLP/JSON: the first line (one hour) of ${day}`, otlp, 'application/jsonl');
    }
    if (signal === 'metrics') {
      const lines = (await text(`/v1/jobs/${all.id}/files/metrics/${day}?format=openmetrics`)).split('\n');
      const om = `${lines.slice(0, 5).join('\n')}\n# EOF\n`;
      for (const o of [op, 'getDayFile']) respond(o, 200, 'metrics-openmetrics', `metrics as OpenMetrics: the first samples of ${day}`, om, 'application/openmetrics-text');
    }
  }
  respond('getLabels', 200, 'labels-ndjson', `The first label rows of ${day} as NDJSON`, (await text(`/v1/jobs/${all.id}/labels/${day}?format=ndjson`)).split('\n').slice(0, 2).join('\n') + '\n', 'application/x-ndjson');
  problem(await main.inject({ url: `/v1/jobs/${job.id}/files/metrics/${day}?format=parquet` }));

  const labels = json<unknown[]>(await main.inject({ url: `/v1/jobs/${job.id}/labels/${day}` }));
  respond('getLabels', 200, 'labels', `The first label rows of ${day} (the file holds the whole day)`, labels.slice(0, 2));
  respond('getCatalog', 200, 'catalog', 'The whole catalog of the two-day dataset', json(await main.inject({ url: `/v1/jobs/${job.id}/catalog` })));
  respond('getReport', 200, 'report', 'The report of the two-day dataset (too short for every bar to pass)', json(await main.inject({ url: `/v1/jobs/${job.id}/report` })));
  respond('getReportText', 200, 'report', 'The same report as a table', (await main.inject({ url: `/v1/jobs/${job.id}/report.txt` })).body);
  respond('getHome', 200, 'page', 'The page for people', (await main.inject({ url: '/' })).body);
  respond('getHealth', 200, 'ok', 'Up', json(await main.inject({ url: '/healthz' })));
  const metricsText = (await main.inject({ url: '/metrics' })).body;
  respond('getMetrics', 200, 'metrics', 'The first lines of the exposition', `${metricsText.split('\n').filter((l) => l.startsWith('# HELP meltgen_jobs') || l.startsWith('# TYPE meltgen_jobs') || l.startsWith('meltgen_jobs')).join('\n')}\n`);

  // Problems on the main server.
  problem(await main.inject({ method: 'POST', url: '/v1/jobs', payload: { days: -3, colour: 'red', signals: ['metrics', 'bogus'] } }));
  problem(await main.inject({ method: 'POST', url: '/v1/jobs', headers: { 'content-type': 'application/json' }, payload: '{"days": 7,' }));
  problem(await main.inject({ method: 'POST', url: '/v1/jobs', headers: { 'content-type': 'text/plain' }, payload: 'days=7' }));
  problem(await main.inject({ url: '/v1/jobs?limit=500&sort=newest' }));
  problem(await main.inject({ url: '/v1/jobs/00000000-0000-4000-8000-000000000000' }));
  problem(await main.inject({ url: `/v1/jobs/${job.id}/files/metrics/2025-01-01` }));

  // A job of one signal, whose other signals are not generated.
  const metricsOnly = json<{ id: string }>(await main.inject({ method: 'POST', url: '/v1/jobs', payload: { days: 1, hostsPerService: 1, granularityMinutes: 60, seed: 1, signals: ['metrics'] } }));
  await settle(main, metricsOnly.id);
  problem(await main.inject({ url: `/v1/jobs/${metricsOnly.id}/files/traces/2024-06-01` }));
  respond('listJobs', 200, 'page', 'The newest jobs (here two; `nextCursor` null: the last page)', json(await main.inject({ url: '/v1/jobs?limit=10' })));
  // A day file that vanished from disk after it was indexed.
  await unlink(join(datasetDir(main.dataDir, metricsOnly.id), 'metrics/2024-06/metrics_2024-06-01.json'));
  problem(await main.inject({ url: `/v1/jobs/${metricsOnly.id}/files/metrics/2024-06-01` }));
  // A dataset that cannot be validated (its day file is gone).
  problem(await main.inject({ url: `/v1/jobs/${metricsOnly.id}/report` }));
  // An expired dataset.
  await main.jobs.expire(metricsOnly.id);
  problem(await main.inject({ url: `/v1/jobs/${metricsOnly.id}/files` }));

  // A running job and a queued one behind it (one job at a time): not ready yet, then canceled.
  const busy = await app({ maxConcurrentJobs: 1 });
  const long = json<{ id: string }>(await busy.inject({ method: 'POST', url: '/v1/jobs', payload: { days: 3650, seed: 3 } }));
  const queued = json<{ id: string }>(await busy.inject({ method: 'POST', url: '/v1/jobs', payload: { days: 30, seed: 4 } }));
  problem(await busy.inject({ url: `/v1/jobs/${queued.id}/catalog` }));
  problem(await busy.inject({ url: `/v1/jobs/${queued.id}/files/metrics/2024-06-01` }));
  problem(await busy.inject({ url: `/v1/jobs/${queued.id}/archive` }));
  respond('deleteJob', 200, 'canceled', 'A queued or running job, canceled', json(await busy.inject({ method: 'DELETE', url: `/v1/jobs/${queued.id}` })));
  await busy.inject({ method: 'DELETE', url: `/v1/jobs/${long.id}` });

  // Limits and keys.
  // A model's answers for the same dataset: the right service first for one incident, a wrong one
  // first for the other; three labeled host-intervals and one quiet one flagged.
  const catalog = json<{ incidents: { id: string; is_primary: boolean; root_cause_indicators: { service: string; metric: string }[] }[] }>(
    await main.inject({ url: `/v1/jobs/${job.id}/catalog` }),
  );
  const primaries = catalog.incidents.filter((i) => i.is_primary);
  const labelRows = json<{ timestamp: string; host_id: string }[]>(await main.inject({ url: `/v1/jobs/${job.id}/labels/2024-06-30` }));
  const predictions = {
    rca: primaries.slice(0, 2).map((p, k) => {
      const truth = p.root_cause_indicators[0] as { service: string; metric: string };
      const ranking = [`${truth.service}:${truth.metric}`, 'web-frontend:net.latency.ms', 'auth-service'];
      return { incident_id: p.id, ranking: k === 0 ? ranking : [ranking[1] as string, ranking[2] as string, ranking[0] as string] };
    }),
    anomalies: [...labelRows.slice(0, 3).map((l) => ({ host_id: l.host_id, timestamp: l.timestamp })), { host_id: labelRows[0]?.host_id ?? '', timestamp: '2024-06-30T00:00:00Z' }],
  };
  requests.createEvaluation = { model: { summary: 'Rankings for two primary incidents and four flagged host-intervals', value: predictions } };
  respond('createEvaluation', 200, 'scored', 'The scores of those answers', json(await main.inject({ method: 'POST', url: `/v1/jobs/${job.id}/evaluations`, payload: predictions })));
  // A dataset whose catalog is gone from the disk cannot be scored.
  const lostDir = await mkdtemp(join(root, 'app-'));
  const lost = await app({ dataDir: lostDir });
  const lostJob = json<{ id: string }>(await lost.inject({ method: 'POST', url: '/v1/jobs', payload: { days: 1, hostsPerService: 1, seed: 3 } }));
  await settle(lost, lostJob.id);
  await rm(join(lostDir, 'jobs', lostJob.id, 'melt_data', 'metadata', 'incident_catalog.json'));
  problem(await lost.inject({ method: 'POST', url: `/v1/jobs/${lostJob.id}/evaluations`, payload: predictions }));
  await recordPushes(app, settle, requests, respond, problem);
  const keyed = await app({ apiKeys: [{ name: 'team-a', key: 'example-key-0123456789' }] });
  problem(await keyed.inject({ url: '/v1/jobs' }));
  problem(await (await app({ limits: { bodyLimitBytes: 64 } })).inject({ method: 'POST', url: '/v1/jobs', payload: { days: 7, seed: 42, regions: ['us-east-1', 'eu-west-1', 'on-prem-dc1'] } }));
  problem(await (await app({ limits: { maxHosts: 10 } })).inject({ method: 'POST', url: '/v1/jobs', payload: { days: 7 } }));
  problem(await (await app({ limits: { maxJobBytes: 1e6 } })).inject({ method: 'POST', url: '/v1/jobs', payload: { days: 30 } }));
  problem(await (await app({ limits: { quotaStoredBytes: 1e6 } })).inject({ method: 'POST', url: '/v1/jobs', payload: { days: 7 } }));
  problem(await (await app({ limits: { minFreeBytes: Number.MAX_SAFE_INTEGER } })).inject({ method: 'POST', url: '/v1/jobs', payload: { days: 7 } }));
  const quota = await app({ limits: { quotaConcurrentJobs: 1 }, maxConcurrentJobs: 1 });
  const first = json<{ id: string }>(await quota.inject({ method: 'POST', url: '/v1/jobs', payload: { days: 3650, seed: 5 } }));
  problem(await quota.inject({ method: 'POST', url: '/v1/jobs', payload: { days: 7, seed: 6 } }));
  await quota.inject({ method: 'DELETE', url: `/v1/jobs/${first.id}` });
  const limited = await app({ limits: { rateLimitPerMinute: 1 } });
  await limited.inject({ url: '/v1/jobs' });
  problem(await limited.inject({ url: '/v1/jobs' }));
  // What the error handler makes of an unexpected exception (a route of this script's own).
  const broken = await makeApp({ dataDir: await mkdtemp(join(root, 'app-')) }, (a) => {
    a.get('/v1/jobs/:id/files/boom', { schema: { hide: true } }, async () => {
      throw new Error('disk on fire');
    });
  });
  apps.push(broken);
  problem(await broken.inject({ url: `/v1/jobs/${job.id}/files/boom` }));

  for (const a of apps) await a.close();
  await rm(root, { recursive: true, force: true });
  return { requests, responses, problems };
}

/** How the examples name the destination (a local server that takes everything stands in for it). */
const EXAMPLE_SINK_HOST = 'victoriametrics.internal:8428';

/** Replays and streams: into a local HTTP server that accepts every request, shown as a platform's URL. */
async function recordPushes(
  app: (options?: Partial<AppOptions>) => Promise<FastifyInstance>,
  settle: (a: FastifyInstance, id: string) => Promise<void>,
  requests: Record<string, Record<string, NamedExample>>,
  respond: (operation: string, status: number, name: string, summary: string, value: unknown, mediaType?: string) => void,
  problem: (res: LightMyRequestResponse) => void,
): Promise<void> {
  const destination = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => destination.listen(0, '127.0.0.1', r));
  const local = `127.0.0.1:${(destination.address() as { port: number }).port}`;
  // The examples show the platform's name, not this script's port.
  const shown = <T>(res: LightMyRequestResponse): T => JSON.parse(res.body.replaceAll(local, EXAMPLE_SINK_HOST)) as T;
  const a = await app({ sinkAllowlist: parseAllowlist(local), limits: { quotaConcurrentStreams: 1 } });
  const job = (await a.inject({ method: 'POST', url: '/v1/jobs', payload: EXAMPLE_CONFIG })).json<{ id: string }>();
  await settle(a, job.id);
  const wait = async (url: string): Promise<void> => {
    while ((await a.inject({ url })).json<{ status: string }>().status === 'running') await new Promise((r) => setTimeout(r, 20));
  };

  const replay = { sink: { type: 'victoriametrics', url: `http://${local}`, headers: { Authorization: 'Bearer example-sink-token' } }, timeShift: 'now' };
  requests.createReplay = {
    victoriametrics: { summary: 'Into VictoriaMetrics, moved to end now, with a credential header', value: JSON.parse(JSON.stringify(replay).replaceAll(local, EXAMPLE_SINK_HOST)) as unknown },
    prometheus: { summary: 'Into Prometheus’ remote-write receiver, at the dataset’s own dates', value: { sink: { type: 'prometheus-remote-write', url: 'http://prometheus.internal:9090/api/v1/write' } } },
    otlp: { summary: 'Every signal into an OpenTelemetry Collector’s OTLP/HTTP receiver', value: { sink: { type: 'otlp-http', url: 'http://otel-collector.internal:4318', encoding: 'protobuf' }, timeShift: 'now' } },
  };
  const started = await a.inject({ method: 'POST', url: `/v1/jobs/${job.id}/replays`, payload: replay });
  respond('createReplay', 202, 'started', 'Started (the credential header shows by name only)', shown(started));
  problem(await a.inject({ method: 'POST', url: `/v1/jobs/${job.id}/replays`, payload: replay }));
  const location = started.headers.location as string;
  await wait(location);
  respond('getReplay', 200, 'succeeded', 'A finished replay: two days, every sample accepted', shown(await a.inject({ url: location })));
  respond('cancelReplay', 200, 'finished', 'A replay that had already finished is returned as it is', shown(await a.inject({ method: 'DELETE', url: location })));
  respond('listReplays', 200, 'one', 'The job’s replays', shown(await a.inject({ url: `/v1/jobs/${job.id}/replays` })));
  problem(await a.inject({ method: 'POST', url: `/v1/jobs/${job.id}/replays`, payload: { sink: { type: 'victoriametrics', url: 'http://169.254.169.254:80' } } }));
  problem(await a.inject({ url: `/v1/jobs/${job.id}/replays/00000000-0000-4000-8000-000000000000` }));

  const stream = { config: EXAMPLE_CONFIG, sinks: [{ type: 'prometheus-remote-write', url: `http://${local}/api/v1/write` }], speed: 100_000, timeShift: 'none' };
  requests.createStream = {
    fast: { summary: 'Two days at 100,000× (about 3.5 s) into Prometheus, at the config’s own dates', value: JSON.parse(JSON.stringify(stream).replaceAll(local, 'prometheus.internal:9090')) as unknown },
    live: {
      summary: 'A week at wall-clock pace, starting now, into an OpenTelemetry Collector and VictoriaMetrics',
      value: { config: { days: 7, seed: 42, topology: 'online-boutique' }, sinks: [{ type: 'otlp-http', url: 'http://otel-collector.internal:4318' }, { type: 'victoriametrics', url: 'http://victoriametrics.internal:8428' }], speed: 1 },
    },
  };
  const s = await a.inject({ method: 'POST', url: '/v1/streams', payload: stream });
  respond('createStream', 202, 'started', 'Started', JSON.parse(s.body.replaceAll(local, 'prometheus.internal:9090')) as unknown);
  const streamUrl = s.headers.location as string;
  await wait(streamUrl);
  const finishedStream = JSON.parse((await a.inject({ url: `${streamUrl}?after=0` })).body.replaceAll(local, 'prometheus.internal:9090')) as { announcements: unknown[] };
  respond('getStream', 200, 'finished', 'A finished stream with its first announcements (the answer holds them all)', { ...finishedStream, announcements: finishedStream.announcements.slice(0, 3) });
  // The events of a finished stream, heard afterwards: its first announcements, then the end.
  const events = (await a.inject({ url: `${streamUrl}/events` })).body.replaceAll(local, 'prometheus.internal:9090').split('\n\n');
  const eventsShown = [...events.slice(0, 3), events.filter((e) => e.startsWith('event: end')).join('')].join('\n\n') + '\n\n';
  respond('getStreamEvents', 200, 'finished', 'The opening comment, the first two announcements and the end (a running stream also sends `progress` events)', eventsShown, 'text/event-stream');
  respond('stopStream', 200, 'finished', 'A stream that had already finished is returned as it is', JSON.parse((await a.inject({ method: 'DELETE', url: streamUrl })).body.replaceAll(local, 'prometheus.internal:9090')) as unknown);
  respond('listStreams', 200, 'one', 'The key’s streams, without their announcements', JSON.parse((await a.inject({ url: '/v1/streams' })).body.replaceAll(local, 'prometheus.internal:9090')) as unknown);
  problem(await a.inject({ url: '/v1/streams/00000000-0000-4000-8000-000000000000' }));
  const running = await a.inject({ method: 'POST', url: '/v1/streams', payload: { ...stream, speed: 1 } });
  problem(await a.inject({ method: 'POST', url: '/v1/streams', payload: stream }));
  await a.inject({ method: 'DELETE', url: running.headers.location as string });
  destination.close();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await recordExamples(async (options, extend) => {
    const a = await buildApp(options);
    extend?.(a);
    await a.ready();
    return a;
  });
  const target = new URL('../src/routes/examples.json', import.meta.url);
  await writeFile(target, JSON.stringify(out, null, 2) + '\n');
  const codes = Object.keys(out.problems).sort();
  process.stdout.write(`wrote ${target.pathname}: ${Object.keys(out.responses).length} responses, ${codes.length} problem codes (${codes.join(', ')})\n`);
}
