// The key's jobs, newest first, with live progress: each queued or running job's row follows its
// event stream (GET /v1/jobs/{id}/events). Cancel and delete from the list.
import { api, followJob, isAbort, type Job, type JobList } from './api.ts';
import { announce, formatBytes, formatTime, h, replace } from './dom.ts';

/**
 * Event streams at once: a browser keeps six connections per server over HTTP/1.1, and the rest
 * must stay free for the page's own requests. Jobs beyond these are refreshed with the list.
 */
const MAX_STREAMS = 3;
const REFRESH_MS = 5000;

const ACTIVE = new Set(['queued', 'running']);

/** A status as a badge: its word and a colour that repeats it. */
export function statusBadge(status: Job['status']): HTMLElement {
  return h('span', { class: `badge status-${status}`, 'data-status': status }, status);
}

/** A job's progress bar with its figures as text. */
export function progressCell(job: Job): HTMLElement {
  const label = `${job.progress.daysDone} of ${job.progress.daysTotal} days`;
  return h(
    'div',
    { class: 'progress' },
    h('progress', { max: '100', value: String(job.progress.percent), 'aria-label': `Progress of job ${job.id.slice(0, 8)}: ${label}` }),
    h('span', { class: 'muted' }, label),
  );
}

/** What a job is, in a few words: days, topology, difficulty, formats, seed. */
export function jobSummary(job: Job): string {
  const c = job.config;
  return `${c.days} days from ${c.startDate} · ${c.topology} · ${c.difficulty} · ${c.formats.join(', ')} · seed ${c.seed}`;
}

/** The "Jobs" view. */
export async function renderJobs(view: HTMLElement, signal: AbortSignal): Promise<void> {
  const tbody = h('tbody');
  const more = h('div', { class: 'actions' });
  const note = h('p', { class: 'muted', id: 'jobs-note' });
  replace(
    view,
    h('div', { class: 'title-row' }, h('h1', {}, 'Jobs'), h('a', { class: 'button', href: '#/new' }, 'New job')),
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'jobs', id: 'jobs-table' },
        h('caption', { class: 'sr-only' }, 'Your jobs, newest first'),
        h('thead', {}, h('tr', {}, ['Job', 'Status', 'Progress', 'Size', 'Created', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
        tbody,
      ),
    ),
    note,
    more,
  );

  const rows = new Map<string, HTMLTableRowElement>();
  const following = new Map<string, AbortController>();
  let jobs: Job[] = [];

  const act = async (job: Job, method: 'cancel' | 'delete'): Promise<void> => {
    try {
      const after = await api<Job | undefined>(`/v1/jobs/${job.id}`, { method: 'DELETE', signal });
      announce(method === 'cancel' ? `Job ${job.id.slice(0, 8)} canceled.` : `Job ${job.id.slice(0, 8)} deleted.`);
      if (after) update(after);
      else {
        rows.get(job.id)?.remove();
        rows.delete(job.id);
        jobs = jobs.filter((j) => j.id !== job.id);
      }
    } catch (err) {
      if (!isAbort(err)) announce(`Could not ${method} the job: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const row = (job: Job): HTMLTableRowElement => {
    const short = job.id.slice(0, 8);
    const actions = ACTIVE.has(job.status)
      ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Cancel job ${short}`, onclick: () => void act(job, 'cancel') }, 'Cancel')
      : h('button', { type: 'button', class: 'secondary danger', 'aria-label': `Delete job ${short}`, onclick: () => void act(job, 'delete') }, 'Delete');
    return h(
      'tr',
      { 'data-job': job.id },
      h('td', {}, h('a', { href: `#/jobs/${job.id}` }, h('code', {}, short)), h('div', { class: 'muted small' }, jobSummary(job))),
      h('td', {}, statusBadge(job.status), job.error ? h('div', { class: 'small warning' }, job.error.message) : null),
      h('td', {}, progressCell(job)),
      h('td', {}, formatBytes(job.status === 'succeeded' ? job.bytesWritten : job.estimatedBytes), job.status === 'succeeded' ? null : h('div', { class: 'muted small' }, 'estimated')),
      h('td', {}, formatTime(job.createdAt)),
      h('td', {}, h('div', { class: 'row' }, h('a', { href: `#/jobs/${job.id}`, class: 'button secondary', 'aria-label': `Open job ${short}` }, 'Open'), actions)),
    );
  };

  const update = (job: Job): void => {
    const old = rows.get(job.id);
    const fresh = row(job);
    // Focus stays on the button that was used (it is rebuilt with the row).
    const focused = old?.contains(document.activeElement) ? (document.activeElement?.getAttribute('aria-label') ?? null) : null;
    if (old) old.replaceWith(fresh);
    else tbody.append(fresh);
    rows.set(job.id, fresh);
    jobs = jobs.map((j) => (j.id === job.id ? job : j));
    if (focused) fresh.querySelector<HTMLElement>(`[aria-label="${focused.replace(/^Cancel/, 'Delete')}"], [aria-label="${focused}"]`)?.focus();
    if (!ACTIVE.has(job.status)) following.get(job.id)?.abort();
  };

  const follow = (job: Job): void => {
    if (following.has(job.id) || following.size >= MAX_STREAMS) return;
    const controller = new AbortController();
    signal.addEventListener('abort', () => controller.abort());
    following.set(job.id, controller);
    followJob(job.id, (e) => (e.event === 'day' || e.event === 'deleted' ? undefined : update(e.data)), controller.signal)
      .catch(() => undefined)
      .finally(() => following.delete(job.id));
  };

  const load = async (cursor: string | null): Promise<void> => {
    const page = await api<JobList>(`/v1/jobs?limit=20${cursor ? `&cursor=${cursor}` : ''}`, { signal });
    if (cursor === null) {
      tbody.replaceChildren();
      rows.clear();
      jobs = [];
    }
    for (const job of page.jobs) {
      jobs.push(job);
      update(job);
      if (ACTIVE.has(job.status)) follow(job);
    }
    note.textContent = jobs.length === 0 ? 'No jobs yet: submit one with “New job”.' : '';
    replace(more, page.nextCursor ? h('button', { type: 'button', class: 'secondary', onclick: () => void load(page.nextCursor) }, 'Older jobs') : null);
  };

  try {
    await load(null);
  } catch (err) {
    if (!isAbort(err)) replace(note, `The jobs could not be listed: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  // Jobs beyond the streams, and jobs submitted elsewhere, show up with a refresh of the first page.
  const timer = window.setInterval(() => {
    if (jobs.some((j) => ACTIVE.has(j.status) && !following.has(j.id))) void load(null).catch(() => undefined);
  }, REFRESH_MS);
  signal.addEventListener('abort', () => window.clearInterval(timer));
}
