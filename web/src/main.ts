// The console: a hash router over three views (jobs, new job, a job's page). Each view gets an
// AbortSignal that is aborted when the view is left, so its requests and event streams stop.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { canCall } from './api.ts';
import { byId, h, replace } from './dom.ts';
import { renderJob } from './job.ts';
import { renderJobs } from './jobs.ts';
import { initKey } from './key.ts';
import { renderSubmit } from './submit.ts';

let current: AbortController | null = null;

function route(): void {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const view = byId('view');
  const hash = location.hash.replace(/^#/, '') || '/';
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[href^="#"]')) {
    if (a.getAttribute('href') === `#${hash}` || (hash.startsWith('/jobs/') && a.getAttribute('href') === '#/')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!canCall()) {
    replace(view, h('p', { class: 'muted' }, 'Paste an API key above to see your jobs.'));
    return;
  }
  const job = /^\/jobs\/([0-9a-f-]{36})(?:\/incidents\/([0-9a-f-]{36}))?$/.exec(hash);
  if (job?.[1]) void renderJob(view, job[1], job[2] ?? null, controller.signal);
  else if (hash === '/new') renderSubmit(view, controller.signal);
  else void renderJobs(view, controller.signal);
}

window.addEventListener('hashchange', () => {
  route();
  // Keyboard and screen-reader users land at the top of the new view.
  if (!location.hash.includes('/incidents/')) byId('main').focus({ preventScroll: false });
});
initKey(route);
window.addEventListener('meltgen:route', route);
document.body.append(h('div', { id: 'announcer', class: 'sr-only', role: 'status', 'aria-live': 'polite' }));
route();
