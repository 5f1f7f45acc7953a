// A job's page: its progress (live), downloads, the incident catalog as a table and a timeline,
// an incident's charts, events and traces, the validation report and scoring of predictions.
import { api, ApiError, download, followJob, isAbort, type Catalog, type Incident, type Job } from './api.ts';
import { announce, formatBytes, formatDuration, formatTime, h, replace } from './dom.ts';
import { renderIncident } from './incident.ts';
import { jobSummary, progressCell, statusBadge } from './jobs.ts';
import { go } from './nav.ts';
import { renderEvaluation, renderReport } from './report.ts';
import { incidentColor, renderTimeline } from './timeline.ts';

const ACTIVE = new Set(['queued', 'running']);
/** Datasets up to this many days get their validation report at once (a few seconds at most). */
const AUTO_REPORT_DAYS = 31;

/** The "job" view: `#/jobs/<id>`, or `#/jobs/<id>/incidents/<incident>` with an incident open. */
export async function renderJob(view: HTMLElement, id: string, incidentId: string | null, signal: AbortSignal): Promise<void> {
  const head = h('section', { class: 'card', 'aria-labelledby': 'job-title' });
  const downloads = h('section', { class: 'card', id: 'downloads', 'aria-labelledby': 'downloads-title' });
  const catalogSection = h('section', { class: 'card', id: 'catalog', 'aria-labelledby': 'catalog-title' });
  const incidentSection = h('section', { id: 'incident', 'aria-live': 'polite' });
  const reportSection = h('section', { class: 'card', id: 'report', 'aria-labelledby': 'report-title' });
  const evaluationSection = h('section', { class: 'card', id: 'evaluation', 'aria-labelledby': 'evaluation-title' });
  replace(view, head, catalogSection, incidentSection, downloads, reportSection, evaluationSection);

  let job: Job;
  try {
    job = await api<Job>(`/v1/jobs/${id}`, { signal });
  } catch (err) {
    if (isAbort(err)) return;
    replace(view, h('h1', {}, 'Job not found'), h('p', {}, err instanceof ApiError ? err.message : String(err)), h('a', { href: '#/' }, 'Back to the jobs'));
    return;
  }

  let catalog: Catalog | null = null;
  let finishedShown = false;
  /** The incident shown, drawn again with its data once the job has succeeded. */
  let opened: Incident | null = null;

  const showHead = (j: Job): void => {
    const short = j.id.slice(0, 8);
    const action = ACTIVE.has(j.status)
      ? h('button', { type: 'button', class: 'secondary', onclick: () => void remove(j, 'cancel') }, 'Cancel job')
      : h('button', { type: 'button', class: 'secondary danger', onclick: () => void remove(j, 'delete') }, 'Delete job');
    replace(
      head,
      h('div', { class: 'title-row' }, h('h1', { id: 'job-title' }, 'Job ', h('code', {}, short)), statusBadge(j.status), action),
      h('p', { class: 'muted' }, jobSummary(j)),
      h('div', { id: 'job-progress' }, progressCell(j)),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Created'),
        h('dd', {}, formatTime(j.createdAt)),
        h('dt', {}, 'Finished'),
        h('dd', {}, j.finishedAt ? formatTime(j.finishedAt) : '—'),
        h('dt', {}, j.status === 'succeeded' ? 'Size' : 'Estimated size'),
        h('dd', {}, formatBytes(j.status === 'succeeded' ? j.bytesWritten : j.estimatedBytes)),
        h('dt', {}, 'Job id'),
        h('dd', {}, h('code', {}, j.id)),
      ),
      j.error ? h('p', { class: 'warning', role: 'alert' }, `${j.error.code}: ${j.error.message}`) : null,
    );
  };

  const remove = async (j: Job, what: 'cancel' | 'delete'): Promise<void> => {
    try {
      const after = await api<Job | undefined>(`/v1/jobs/${j.id}`, { method: 'DELETE', signal });
      announce(what === 'cancel' ? 'Job canceled.' : 'Job deleted.');
      if (after) show(after);
      else go('#/');
    } catch (err) {
      if (!isAbort(err)) announce(`Could not ${what} the job: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const showCatalog = async (j: Job): Promise<void> => {
    if (catalog || !j.catalogReady || j.status === 'expired') return;
    catalog = await api<Catalog>(`/v1/jobs/${j.id}/catalog`, { signal });
    const c = catalog;
    const open = (incident: Incident): void => {
      opened = incident;
      history.replaceState(null, '', `#/jobs/${j.id}/incidents/${incident.id}`);
      void renderIncident(incidentSection, job, c, incident, signal);
    };
    reopen = (): void => {
      if (opened) open(opened);
    };
    replace(
      catalogSection,
      h('h2', { id: 'catalog-title' }, `Incidents (${c.summary.total_incidents}: ${c.summary.primary_incidents} primary, ${c.summary.cascading_incidents} cascaded)`),
      c.incidents.length === 0 ? h('p', {}, 'No incident in this dataset: raise the incidents per day.') : null,
      c.incidents.length ? renderTimeline(c, open) : null,
      c.incidents.length ? catalogTable(c, open) : null,
    );
    const wanted = incidentId ? c.incidents.find((i) => i.id === incidentId) : undefined;
    if (wanted) open(wanted);
  };

  let reopen = (): void => undefined;
  const showFinished = (j: Job): void => {
    if (finishedShown || j.status !== 'succeeded') return;
    finishedShown = true;
    // An incident opened while the job ran gets its charts, events and traces now.
    reopen();
    replace(
      downloads,
      h('h2', { id: 'downloads-title' }, 'Downloads'),
      h('p', { class: 'help' }, 'A zip of the melt_data/ layout; the catalog and root_cause.txt are in each.'),
      h(
        'div',
        { class: 'row wrap-row' },
        downloadButton('Archive (every format)', `/v1/jobs/${j.id}/archive`, `meltgen-${j.id.slice(0, 8)}.zip`, 'download-archive'),
        j.config.formats.length > 1 ? j.config.formats.map((f) => downloadButton(`${f} only`, `/v1/jobs/${j.id}/archive?formats=${f}`, `meltgen-${j.id.slice(0, 8)}-${f}.zip`, `download-${f}`)) : null,
        downloadButton('Catalog (JSON)', `/v1/jobs/${j.id}/catalog`, 'incident_catalog.json', 'download-catalog'),
      ),
    );
    // The report is computed on its first request: seconds for a month, minutes for years, so a
    // long dataset's is computed when asked for rather than whenever its page is opened.
    if (j.config.days <= AUTO_REPORT_DAYS) void renderReport(reportSection, j, signal);
    else
      replace(
        reportSection,
        h('h2', { id: 'report-title' }, 'Validation report'),
        h('p', { class: 'help' }, `Computed on the server on the first request (for ${j.config.days} days, a while), then kept with the dataset.`),
        h('button', { type: 'button', class: 'secondary', onclick: () => void renderReport(reportSection, j, signal) }, 'Compute the validation report'),
      );
    renderEvaluation(evaluationSection, j, signal);
  };

  const show = (j: Job): void => {
    job = j;
    showHead(j);
    if (!finishedShown) {
      replace(downloads, h('h2', { id: 'downloads-title' }, 'Downloads'), h('p', { class: 'muted' }, ACTIVE.has(j.status) ? 'Available once the job has succeeded.' : `Nothing to download: the job is ${j.status}.`));
      replace(reportSection, h('h2', { id: 'report-title' }, 'Validation report'), h('p', { class: 'muted' }, 'Computed once the job has succeeded.'));
      replace(evaluationSection, h('h2', { id: 'evaluation-title' }, 'Evaluate a model'), h('p', { class: 'muted' }, 'Predictions can be scored once the job has succeeded.'));
    }
    if (!catalog) replace(catalogSection, h('h2', { id: 'catalog-title' }, 'Incidents'), h('p', { class: 'muted' }, j.status === 'expired' ? 'The dataset has expired.' : 'The catalog is written before the first day…'));
    showCatalog(j).catch((err: unknown) => {
      if (!isAbort(err)) replace(catalogSection, h('h2', { id: 'catalog-title' }, 'Incidents'), h('p', { class: 'warning' }, String(err instanceof Error ? err.message : err)));
    });
    showFinished(j);
  };

  show(job);
  if (ACTIVE.has(job.status)) {
    followJob(
      id,
      (e) => {
        if (e.event === 'day') announce(`Day ${e.data.date} is done (${e.data.daysDone} of ${e.data.daysTotal}).`);
        else if (e.event === 'deleted') go('#/');
        else {
          show(e.data);
          if (e.event === 'end') announce(`The job has ${e.data.status}.`);
        }
      },
      signal,
    ).catch((err: unknown) => {
      if (!isAbort(err)) announce(`Live progress stopped: ${err instanceof Error ? err.message : String(err)}`);
    });
  }
}

function downloadButton(label: string, path: string, name: string, id: string): HTMLElement {
  const button = h('button', { type: 'button', class: 'secondary', id });
  button.textContent = label;
  button.addEventListener('click', () => {
    button.disabled = true;
    download(path, name, (bytes) => {
      button.textContent = `${label}: ${formatBytes(bytes)}…`;
    })
      .then(() => announce(`${label}: downloaded.`))
      .catch((err: unknown) => announce(`${label}: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        button.disabled = false;
        button.textContent = label;
      });
  });
  return button;
}

/** Where an incident is: its root cause's service and host, or its region. */
export function incidentPlace(i: Incident): string {
  if (i.target_service) return `${i.target_service}${i.target_host ? ` (${i.target_host})` : ''}`;
  return `region ${i.target_region ?? '?'}`;
}

function catalogTable(c: Catalog, open: (i: Incident) => void): HTMLElement {
  const byId = new Map(c.incidents.map((i) => [i.id, i]));
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { class: 'incidents', id: 'incident-table' },
      h('caption', { class: 'sr-only' }, 'The incident catalog, by start time'),
      h('thead', {}, h('tr', {}, ['Type', 'Where', 'Root cause', 'Start (UTC)', 'Duration', 'Severity', 'Cascades'].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        c.incidents.map((i) => {
          const root = i.root_cause.service ?? i.root_cause.region ?? '?';
          const parent = i.parent_incident_id ? byId.get(i.parent_incident_id) : undefined;
          return h(
            'tr',
            { 'data-incident': i.id, class: i.is_primary ? 'primary' : 'cascaded' },
            h(
              'td',
              {},
              h('span', { class: 'swatch', style: `background:${incidentColor(i.type)}`, 'aria-hidden': 'true' }),
              h('button', { type: 'button', class: 'link', onclick: () => open(i), 'aria-label': `Open ${i.type} on ${incidentPlace(i)} at ${formatTime(i.start_time)}` }, i.type),
              h('div', { class: 'small muted' }, i.is_primary ? 'primary' : `cascaded from ${parent ? parent.type : 'another incident'}`),
            ),
            h('td', {}, incidentPlace(i)),
            h('td', {}, `${root} · ${i.root_cause.metric}`),
            h('td', {}, formatTime(i.start_time)),
            h('td', {}, formatDuration(Date.parse(i.end_time) - Date.parse(i.start_time)), i.status === 'ONGOING' ? h('div', { class: 'small muted' }, 'ongoing') : null),
            h('td', {}, i.severity),
            h('td', {}, i.cascading_incidents.length ? `${i.cascading_incidents.length} → ${i.cascading_incidents.map((x) => byId.get(x)?.target_service ?? '?').join(', ')}` : '—'),
          );
        }),
      ),
    ),
  );
}
