// One incident: what the catalog says, its affected hosts' metrics around it (window shaded, label
// roles marked), the events of that window, and the day's traces that crossed its hosts, one of
// them as a waterfall. Everything is fetched per host and window (the day files' range filters),
// never a whole day of a hundred hosts.
import { api, apiText, isAbort, type Catalog, type EventRecord, type Incident, type Job, type LabelRecord, type MetricRecord, type SpanRecord } from './api.ts';
import { metricChart, type RoleMark } from './chart.ts';
import { formatDuration, formatTime, h, replace } from './dom.ts';
import { incidentPlace } from './job.ts';
import { waterfall } from './waterfall.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Charts at once: the rest of the hosts are a choice away. */
const MAX_CHARTS = 6;
/** Spans read to find an incident's traces: enough for dozens of traces, small to send. */
const SPAN_LIMIT = 5000;
const TRACES_LISTED = 25;

const METRICS = ['system.cpu.util', 'system.mem.util', 'net.latency.ms', 'app.error_rate', 'app.request_count', 'net.packet_loss.pct', 'db.connection_pool.util', 'resource.pool.util'] as const satisfies readonly (keyof MetricRecord['metrics'])[];
type MetricKey = (typeof METRICS)[number];

const ALERT_TYPES = new Set(['ALERT_TRIGGER', 'CASCADE_TRIGGER', 'INCIDENT_UPDATE', 'INCIDENT_RESOLVED']);

/** The UTC dates (YYYY-MM-DD) that a range touches. */
function datesOf(from: number, to: number): string[] {
  const out: string[] = [];
  for (let d = Math.floor(from / DAY_MS) * DAY_MS; d < to; d += DAY_MS) out.push(new Date(d).toISOString().slice(0, 10));
  return out;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The day-range URL of one signal and date, cut to [from, to) within that date. */
function rangeUrl(job: Job, signal: 'metrics' | 'events' | 'traces', date: string, from: number, to: number, extra: Record<string, string>): string {
  const day = Date.parse(`${date}T00:00:00Z`);
  const params = new URLSearchParams({ ...extra, from: iso(Math.max(from, day)), to: iso(Math.min(to, day + DAY_MS)) });
  return `/v1/jobs/${job.id}/files/${signal}/${date}?${params.toString().replaceAll('%2C', ',').replaceAll('%3A', ':')}`;
}

/** The incident shown in each section: opening another one stops its requests and charts. */
const shown = new WeakMap<HTMLElement, AbortController>();

/** Renders an incident into `section`, until `viewSignal` aborts or another incident is opened there. */
export async function renderIncident(section: HTMLElement, job: Job, c: Catalog, incident: Incident, viewSignal: AbortSignal): Promise<void> {
  shown.get(section)?.abort();
  const controller = new AbortController();
  shown.set(section, controller);
  viewSignal.addEventListener('abort', () => controller.abort(), { once: true });
  const signal = controller.signal;
  const byId = new Map(c.incidents.map((i) => [i.id, i]));
  const open = (i: Incident): void => {
    history.replaceState(null, '', `#/jobs/${job.id}/incidents/${i.id}`);
    void renderIncident(section, job, c, i, viewSignal);
  };
  const start = Date.parse(incident.start_time);
  const end = Date.parse(incident.end_time);
  const dataStart = Date.parse(c.generation_config.start_date);
  const dataEnd = dataStart + c.generation_config.days_generated * DAY_MS;
  // Some normal time on both sides, so the change shows; at most two days in all.
  const pad = Math.max(HOUR_MS, Math.min(6 * HOUR_MS, (end - start) / 2));
  const from = Math.max(dataStart, start - pad);
  const to = Math.min(dataEnd, end + pad, from + 2 * DAY_MS);
  const canRange = job.config.formats.includes('json') || job.config.formats.includes('ndjson');
  // While the job runs, the incident's days may not be written yet (a 409 for each): its data is
  // fetched once the job has succeeded, and the page draws it then.
  const ready = job.status === 'succeeded';
  const hosts = incident.affected_hosts;

  const parent = incident.parent_incident_id ? byId.get(incident.parent_incident_id) : undefined;
  const link = (i: Incident | undefined, text: string): HTMLElement | null => (i ? h('button', { type: 'button', class: 'link', onclick: () => open(i) }, text) : null);
  const metricSelect = h(
    'select',
    { id: 'chart-metric' },
    METRICS.map((m) => h('option', { value: m, selected: m === incident.root_cause.metric }, m === incident.root_cause.metric ? `${m} (signature)` : m)),
  );
  // A checkbox per affected host, the first ones ticked: a region-wide incident has dozens.
  const hostChoice = h(
    'fieldset',
    { class: 'host-choice', id: 'chart-hosts' },
    h('legend', {}, hosts.length > MAX_CHARTS ? `Hosts (charts for up to ${MAX_CHARTS})` : 'Hosts'),
    hosts.map((host, k) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'chart-host', value: host, checked: k < MAX_CHARTS }), ` ${host}`)),
  );
  const charts = h('div', { class: 'charts', id: 'charts', 'aria-live': 'polite' });
  const events = h('div', { class: 'events', id: 'incident-events' });
  const traceDate = h('select', { id: 'trace-date' }, datesOf(Math.max(start, dataStart), Math.min(end, dataEnd)).map((d) => h('option', { value: d }, d)));
  const traceList = h('div', { id: 'trace-list' });
  const traceView = h('div', { id: 'trace-view', 'aria-live': 'polite' });

  replace(
    section,
    h(
      'div',
      { class: 'card incident', 'aria-labelledby': 'incident-title' },
      h('div', { class: 'title-row' }, h('h2', { id: 'incident-title', tabindex: '-1' }, `${incident.type} on ${incidentPlace(incident)}`), h('span', { class: 'badge' }, incident.severity), h('span', { class: 'badge' }, incident.is_primary ? 'primary' : 'cascaded')),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Window (UTC)'),
        h('dd', {}, `${formatTime(start)} → ${formatTime(end)} (${formatDuration(end - start)})${incident.status === 'ONGOING' ? ', ongoing at the end of the data' : ''}`),
        h('dt', {}, 'Detected'),
        h('dd', {}, incident.detected_at ? formatTime(incident.detected_at) : 'no alert fired'),
        h('dt', {}, 'Root cause'),
        h('dd', {}, `${incident.root_cause.service ?? `region ${incident.root_cause.region ?? '?'}`} · ${incident.root_cause.metric} (${incident.root_cause.effect})`),
        h('dt', {}, 'Propagation'),
        h('dd', {}, incident.propagation_path.length ? incident.propagation_path.join(' → ') : '—'),
        parent ? [h('dt', {}, 'Caused by'), h('dd', {}, link(parent, `${parent.type} on ${incidentPlace(parent)}`))] : null,
        incident.cascading_incidents.length
          ? [
              h('dt', {}, 'Caused'),
              h(
                'dd',
                {},
                incident.cascading_incidents.map((id, k) => {
                  const child = byId.get(id);
                  return [k ? ', ' : '', link(child, child ? `${child.type} on ${incidentPlace(child)}` : id)];
                }),
              ),
            ]
          : null,
        h('dt', {}, 'Affected hosts'),
        h('dd', {}, `${hosts.length}: ${hosts.join(', ')}`),
      ),
      !canRange ? h('p', { class: 'warning' }, 'The charts, events and traces read the JSON or NDJSON files; this job writes neither.') : null,
      canRange && !ready ? h('p', { class: 'muted' }, `The charts, events and traces appear once the job has succeeded (it is ${job.status}).`) : null,
      h(
        'div',
        { class: 'incident-grid' },
        h(
          'section',
          { 'aria-labelledby': 'charts-title' },
          h('h3', { id: 'charts-title' }, 'Metrics around it'),
          h(
            'div',
            { class: 'row wrap-row controls' },
            h('label', { for: 'chart-metric' }, 'Metric'),
            metricSelect,
          ),
          hosts.length > 1 ? hostChoice : null,
          h(
            'p',
            { class: 'help legend-line' },
            h('span', { class: 'key window-key', 'aria-hidden': 'true' }),
            ' incident window · ',
            h('span', { class: 'key root-key', 'aria-hidden': 'true' }),
            ' root cause · ',
            h('span', { class: 'key symptom-key', 'aria-hidden': 'true' }),
            ' symptom (from the labels)',
          ),
          charts,
        ),
        h('section', { 'aria-labelledby': 'events-title' }, h('h3', { id: 'events-title' }, 'Alerts and events'), h('p', { class: 'help' }, `${formatTime(from)} → ${formatTime(to)}`), events),
      ),
      h(
        'section',
        { 'aria-labelledby': 'traces-title' },
        h('h3', { id: 'traces-title' }, 'Traces'),
        h('div', { class: 'row wrap-row controls' }, h('label', { for: 'trace-date' }, 'Day'), traceDate),
        h('p', { class: 'help' }, 'Traces with a span on an affected host during the incident, failed ones first. Pick one to see its spans.'),
        traceList,
        traceView,
      ),
    ),
  );
  section.querySelector<HTMLElement>('#incident-title')?.focus();
  section.scrollIntoView({ block: 'start' });
  if (!canRange || !ready) return;

  const cleanups: (() => void)[] = [];
  signal.addEventListener('abort', () => cleanups.splice(0).forEach((f) => f()));
  const labelsByDate = new Map<string, Promise<LabelRecord[]>>();
  const labels = (date: string): Promise<LabelRecord[]> => {
    let p = labelsByDate.get(date);
    if (!p) {
      p = job.config.formats.includes('json')
        ? api<LabelRecord[]>(`/v1/jobs/${job.id}/labels/${date}`, { signal })
        : apiText(`/v1/jobs/${job.id}/labels/${date}?format=ndjson`, signal).then((t) =>
            t
              .split('\n')
              .filter((l) => l.trim())
              .map((l) => JSON.parse(l) as LabelRecord),
          );
      labelsByDate.set(date, p);
    }
    return p;
  };
  const dates = datesOf(from, to);

  let drawn = 0;
  const drawCharts = async (): Promise<void> => {
    const mine = ++drawn;
    cleanups.splice(0).forEach((f) => f());
    const metric = metricSelect.value as MetricKey;
    const chosen = [...hostChoice.querySelectorAll<HTMLInputElement>('input:checked')].map((o) => o.value).slice(0, MAX_CHARTS);
    const shown = chosen.length ? chosen : hosts.slice(0, 1);
    replace(charts, h('p', { class: 'muted' }, 'Loading…'));
    if (!job.config.signals.includes('metrics')) {
      replace(charts, h('p', { class: 'muted' }, 'This job does not write metrics.'));
      return;
    }
    const perHost = await Promise.all(
      shown.map(async (host) => {
        const [rows, labelRows] = await Promise.all([
          Promise.all(dates.map((d) => api<MetricRecord[]>(rangeUrl(job, 'metrics', d, from, to, { host }), { signal }))).then((r) => r.flat()),
          Promise.all(dates.map((d) => labels(d))).then((r) => r.flat().filter((l) => l.host_id === host)),
        ]);
        const roles: RoleMark[] = [];
        for (const l of labelRows) {
          const t = Date.parse(l.timestamp);
          if (t < from || t >= to) continue;
          const mineEntry = l.incidents.find((e) => e.incident_id === incident.id);
          if (mineEntry) roles.push({ t, role: mineEntry.role });
        }
        return { host, rows, roles };
      }),
    );
    if (mine !== drawn) return;
    charts.replaceChildren();
    for (const { host, rows, roles } of perHost) {
      const role = roles.some((r) => r.role === 'root_cause') ? 'root cause' : roles.length ? 'symptom' : 'no label for this incident';
      const box = h('div', { class: 'chart-box' });
      const figure = h(
        'figure',
        { class: 'chart', 'data-host': host, 'aria-label': `${metric} on ${host}, ${formatTime(from)} to ${formatTime(to)} UTC; the incident window is shaded; role: ${role}` },
        h('figcaption', {}, h('strong', {}, host), ' ', h('span', { class: `badge role-${role.replace(/ /g, '-')}` }, role), ' ', h('span', { class: 'muted small' }, metric)),
        box,
      );
      charts.append(figure);
      cleanups.push(
        metricChart(box, {
          host,
          metric,
          points: rows.map((r) => ({ t: Date.parse(r.timestamp), v: r.metrics[metric] })),
          window: { start, end },
          roles,
          intervalMs: job.config.granularityMinutes * 60_000,
          from,
          to,
        }),
      );
    }
  };

  const showEvents = async (): Promise<void> => {
    if (!job.config.signals.includes('events')) {
      replace(events, h('p', { class: 'muted' }, 'This job does not write events.'));
      return;
    }
    const rows = (await Promise.all(dates.map((d) => api<EventRecord[]>(rangeUrl(job, 'events', d, from, to, {}), { signal })))).flat();
    const services = new Set(incident.affected_services);
    const related = rows.filter((e) => ALERT_TYPES.has(e.type) || ('service' in e && services.has(e.service)));
    replace(
      events,
      related.length === 0
        ? h('p', { class: 'muted' }, 'No alert or event of the affected services in this window.')
        : h(
            'ol',
            { class: 'event-list' },
            related.map((e) =>
              h(
                'li',
                { class: ALERT_TYPES.has(e.type) ? 'alert' : '' },
                h('time', { datetime: e.timestamp }, formatTime(e.timestamp).slice(11)),
                ' ',
                h('span', { class: 'badge' }, e.type),
                ' ',
                e.message,
              ),
            ),
          ),
      h('p', { class: 'help' }, `${related.length} of ${rows.length} events in the window: alerts, and events of ${[...services].join(', ')}.`),
    );
  };

  const showTraces = async (): Promise<void> => {
    replace(traceView);
    if (!job.config.signals.includes('traces')) {
      replace(traceList, h('p', { class: 'muted' }, 'This job does not write traces.'));
      return;
    }
    replace(traceList, h('p', { class: 'muted' }, 'Loading…'));
    const date = traceDate.value;
    const spans = await api<SpanRecord[]>(rangeUrl(job, 'traces', date, start, end, { host: hosts.slice(0, 100).join(','), limit: String(SPAN_LIMIT) }), { signal });
    const byTrace = new Map<string, SpanRecord[]>();
    for (const s of spans) byTrace.set(s.trace_id, [...(byTrace.get(s.trace_id) ?? []), s]);
    const traces = [...byTrace.entries()]
      .map(([id, list]) => ({ id, first: list[0] as SpanRecord, failed: list.filter((s) => s.status_code >= 500).length }))
      .sort((a, b) => b.failed - a.failed || Date.parse(a.first.timestamp) - Date.parse(b.first.timestamp))
      .slice(0, TRACES_LISTED);
    if (traces.length === 0) {
      replace(traceList, h('p', { class: 'muted' }, 'No sampled trace crossed the affected hosts in the window that day.'));
      return;
    }
    const openTrace = async (id: string, button: HTMLButtonElement): Promise<void> => {
      for (const b of traceList.querySelectorAll('button[aria-pressed]')) b.setAttribute('aria-pressed', 'false');
      button.setAttribute('aria-pressed', 'true');
      replace(traceView, h('p', { class: 'muted' }, 'Loading the trace…'));
      const all = await api<SpanRecord[]>(`/v1/jobs/${job.id}/files/traces/${date}?trace=${id}`, { signal });
      replace(traceView, waterfall(all));
    };
    replace(
      traceList,
      h(
        'ul',
        { class: 'trace-list' },
        traces.map((t) => {
          const b = h('button', { type: 'button', class: 'secondary trace-button', 'aria-pressed': 'false', 'data-trace': t.id }, `${formatTime(t.first.timestamp).slice(11)} · ${t.first.service_name} ${t.first.operation}`, t.failed ? h('span', { class: 'badge failed-badge' }, `${t.failed} failed here`) : null);
          b.addEventListener('click', () => void openTrace(t.id, b).catch(report));
          return h('li', {}, b);
        }),
      ),
      h('p', { class: 'help' }, `${byTrace.size} traces with a span on the affected hosts during the incident${spans.length >= SPAN_LIMIT ? ` (the first ${SPAN_LIMIT} spans)` : ''}.`),
    );
  };

  const report = (err: unknown): void => {
    if (!isAbort(err)) section.append(h('p', { class: 'warning', role: 'alert' }, `Could not load: ${err instanceof Error ? err.message : String(err)}`));
  };
  metricSelect.addEventListener('change', () => void drawCharts().catch(report));
  hostChoice.addEventListener('change', () => void drawCharts().catch(report));
  traceDate.addEventListener('change', () => void showTraces().catch(report));
  await Promise.all([drawCharts().catch(report), showEvents().catch(report), showTraces().catch(report)]);
}
