// A client another team would write: types generated from openapi/openapi.json by
// openapi-typescript (committed as openapi/meltgen-api.d.ts), calls made with openapi-fetch. It must
// type-check under `tsc --strict` with no `as`, no `!` and no `any` (test/client/generated-client.test.ts
// checks all three), which holds only if the document types every body the server sends.
import createClient from 'openapi-fetch';
import type { components, paths } from '../../openapi/meltgen-api.d.ts';

type GenerationConfig = components['schemas']['GenerationConfig'];
type Job = components['schemas']['Job'];
type Problem = components['schemas']['Problem'];
type JsonMedia = 'application/json' | 'application/problem+json';

/** What the flow saw, for the test to compare with the server's files. */
export interface FlowResult {
  readonly job: Job;
  readonly deduplicated: boolean;
  readonly incidents: number;
  readonly primaryTypes: string[];
  readonly cpuOfFirstMetric: number;
  readonly metricsRows: number;
  readonly eventTypes: string[];
  readonly errorLogs: number;
  readonly rootSpans: number;
  readonly spans: number;
  readonly labelRoles: string[];
  readonly files: number;
  readonly totalBytes: number;
  readonly passedBars: number;
  readonly bars: number;
  readonly reportText: string;
  readonly archiveBytes: number;
  readonly archiveLength: string | null;
  readonly notFound: Problem;
  /** The first four bytes of the metrics day as Parquet (`PAR1`), when the job writes Parquet. */
  readonly parquetMagic: string | null;
  /** Service-level AC@1 of the catalog's own answers (1 when there are primaries). */
  readonly perfectAC1: number | null;
}

/** Fails with the problem document's own words. */
function fail(what: string, problem: Problem | undefined): never {
  throw new Error(`${what}: ${problem ? `${problem.status} ${problem.code}: ${problem.detail}` : 'no answer'}`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Submits `config`, polls it to the end, then reads every kind of answer the API gives. */
export async function runFlow(baseUrl: string, config: GenerationConfig, apiKey?: string): Promise<FlowResult> {
  // Day files, labels and the catalog also come as NDJSON, Parquet, OTLP or OpenMetrics: the second
  // type parameter picks the JSON answers (and the problem documents), so `data` has one type.
  const client = createClient<paths, JsonMedia>({ baseUrl, headers: apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` } });

  const submitted = await client.POST('/v1/jobs', { body: config });
  if (submitted.error) fail('createJob', submitted.error);
  const created = submitted.data;
  let job: Job = created;
  while (job.status === 'queued' || job.status === 'running') {
    await sleep(50);
    const polled = await client.GET('/v1/jobs/{id}', { params: { path: { id: job.id } } });
    if (polled.error) fail('getJob', polled.error);
    job = polled.data;
  }
  if (job.status !== 'succeeded') throw new Error(`the job ended ${job.status}: ${job.error?.message ?? ''}`);
  const id = job.id;
  const date = job.config.startDate;
  const path = { id, date };

  const catalog = await client.GET('/v1/jobs/{id}/catalog', { params: { path: { id } } });
  if (catalog.error) fail('getCatalog', catalog.error);
  const primaryTypes = catalog.data.incidents.filter((i) => i.is_primary).map((i) => i.type);

  const metrics = await client.GET('/v1/jobs/{id}/files/metrics/{date}', { params: { path } });
  if (metrics.error) fail('getMetricsDay', metrics.error);
  const firstMetric = metrics.data[0];
  if (firstMetric === undefined) throw new Error('no metrics');

  const events = await client.GET('/v1/jobs/{id}/files/events/{date}', { params: { path } });
  if (events.error) fail('getEventsDay', events.error);

  const logs = await client.GET('/v1/jobs/{id}/files/logs/{date}', { params: { path } });
  if (logs.error) fail('getLogsDay', logs.error);

  const traces = await client.GET('/v1/jobs/{id}/files/traces/{date}', { params: { path } });
  if (traces.error) fail('getTracesDay', traces.error);

  // Another format of the same day, as bytes.
  const parquet = job.config.formats.includes('parquet') ? await client.GET('/v1/jobs/{id}/files/metrics/{date}', { params: { path, query: { format: 'parquet' } }, parseAs: 'arrayBuffer' }) : null;
  if (parquet?.error) fail('getMetricsDay (parquet)', parquet.error);

  const labels = await client.GET('/v1/jobs/{id}/labels/{date}', { params: { path } });
  if (labels.error) fail('getLabels', labels.error);

  const files = await client.GET('/v1/jobs/{id}/files', { params: { path: { id } } });
  if (files.error) fail('listFiles', files.error);

  const report = await client.GET('/v1/jobs/{id}/report', { params: { path: { id } } });
  if (report.error) fail('getReport', report.error);

  const text = await client.GET('/v1/jobs/{id}/report.txt', { params: { path: { id } }, parseAs: 'text' });
  if (text.error) fail('getReportText', text.error);

  const archive = await client.GET('/v1/jobs/{id}/archive', { params: { path: { id }, query: { compression: 'store' } }, parseAs: 'arrayBuffer' });
  if (archive.error) fail('getArchive', archive.error);

  // A model's answer: the catalog's own root causes for every primary, scored by the server.
  const rca = catalog.data.incidents
    .filter((i) => i.is_primary)
    .map((i) => ({ incident_id: i.id, ranking: i.root_cause_indicators.map((r) => `${r.service}:${r.metric}`) }));
  const evaluation = await client.POST('/v1/jobs/{id}/evaluations', { params: { path: { id } }, body: { rca } });
  if (evaluation.error) fail('createEvaluation', evaluation.error);

  const again = await client.POST('/v1/jobs', { body: config });
  if (again.error) fail('createJob again', again.error);

  const missing = await client.GET('/v1/jobs/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } });
  if (missing.error === undefined) throw new Error('a job that does not exist was found');

  return {
    job,
    deduplicated: again.data.deduplicated,
    perfectAC1: evaluation.data.rca.service['AC@1'],
    incidents: catalog.data.summary.total_incidents,
    primaryTypes,
    cpuOfFirstMetric: firstMetric.metrics['system.cpu.util'],
    metricsRows: metrics.data.length,
    eventTypes: [...new Set(events.data.map((e) => e.type))].sort(),
    errorLogs: logs.data.filter((l) => l.level === 'ERROR').length,
    rootSpans: traces.data.filter((s) => s.parent_span_id === null).length,
    spans: traces.data.length,
    labelRoles: [...new Set(labels.data.flatMap((row) => row.incidents.map((i) => i.role)))].sort(),
    files: files.data.files.length,
    totalBytes: files.data.totalBytes,
    passedBars: report.data.bars.filter((b) => b.pass).length,
    bars: report.data.bars.length,
    reportText: text.data,
    archiveBytes: archive.data.byteLength,
    archiveLength: archive.response.headers.get('content-length'),
    notFound: missing.error,
    parquetMagic: parquet?.data ? new TextDecoder().decode(parquet.data.slice(0, 4)) : null,
  };
}
