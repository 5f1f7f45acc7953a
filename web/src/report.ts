// The validation report's summary (GET /v1/jobs/{id}/report: computed on the first request, then
// kept) and the scoring of a model's predictions (POST /v1/jobs/{id}/evaluations: nothing is
// stored on the server, so this tab keeps the last result per job).
import { api, ApiError, isAbort, type Evaluation, type Job, type Report } from './api.ts';
import { h, replace } from './dom.ts';

const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)} %`);
const ratio = (r: { numerator: number; denominator: number; value: number | null }): string => `${pct(r.value)} (${r.numerator}/${r.denominator})`;

/** The report's summary: what was measured, the checks that pass and fail, detection by type. */
export async function renderReport(section: HTMLElement, job: Job, signal: AbortSignal): Promise<void> {
  const title = h('h2', { id: 'report-title' }, 'Validation report');
  if (!job.config.formats.includes('json')) {
    replace(section, title, h('p', { class: 'muted' }, 'The report is computed from the JSON files; this job writes none.'));
    return;
  }
  replace(section, title, h('p', { class: 'muted' }, 'Computing the report (seconds for a year of data)…'));
  let r: Report;
  try {
    r = await api<Report>(`/v1/jobs/${job.id}/report`, { signal });
  } catch (err) {
    if (!isAbort(err)) replace(section, title, h('p', { class: 'warning' }, err instanceof Error ? err.message : String(err)));
    return;
  }
  const passed = r.bars.filter((b) => b.pass).length;
  const detected = Object.entries(r.detection).filter(([, d]) => d.denominator > 0);
  replace(
    section,
    title,
    h('p', { id: 'report-summary' }, h('strong', {}, `${passed} of ${r.bars.length} checks pass.`), ` ${r.dataset.days} days, ${r.dataset.hosts} hosts in ${r.dataset.services} services, ${r.dataset.incidents} incidents (${r.dataset.primaryIncidents} primary).`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'False alarms'),
      h('dd', {}, ratio(r.falseAlarms)),
      h('dt', {}, 'Valid trace trees'),
      h('dd', {}, ratio(r.traces.validTrees)),
      h('dt', {}, 'Logs joined to spans'),
      h('dd', {}, ratio(r.logs.joined)),
      h('dt', {}, 'Alerts'),
      h('dd', {}, ratio(r.alerts)),
      h('dt', {}, 'Cascades'),
      h('dd', {}, ratio(r.cascades)),
      h('dt', {}, 'Baseline ranker, top 3'),
      h('dd', {}, `${ratio(r.ranker.top3)} (random: ${pct(r.ranker.randomTop3)})`),
    ),
    detected.length
      ? h(
          'div',
          { class: 'scroll' },
          h(
            'table',
            { class: 'compact' },
            h('caption', {}, 'Detection by incident type: incidents whose signature metric departs on an affected host'),
            h('thead', {}, h('tr', {}, ['Type', 'Signature metric', 'Detected'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, detected.map(([type, d]) => h('tr', {}, h('td', {}, type), h('td', {}, d.metric), h('td', {}, ratio(d))))),
          ),
        )
      : null,
    h(
      'details',
      {},
      h('summary', {}, `Every check (${r.bars.length})`),
      h(
        'ul',
        { class: 'bars' },
        r.bars.map((b) => h('li', { class: b.pass ? 'pass' : 'fail' }, `${b.pass ? '✓' : '✕'} ${b.name}: ${b.value === null ? 'not measured' : b.value} ${b.op} ${b.bound}`)),
      ),
    ),
    h('p', {}, h('a', { href: `/docs#/datasets/getReport` }, 'What each figure means'), ' · the full table: GET ', h('code', {}, `/v1/jobs/${job.id}/report.txt`)),
  );
}

const EVALUATION_ITEM = (id: string): string => `meltgen.evaluation.${id}`;

function showEvaluation(out: HTMLElement, e: Evaluation): void {
  const levels = (['service', 'indicator'] as const).map((level) =>
    h('tr', {}, h('th', { scope: 'row' }, level), (['AC@1', 'AC@3', 'AC@5', 'Avg@5'] as const).map((k) => h('td', {}, pct(e.rca[level][k])))),
  );
  replace(
    out,
    h('p', {}, `Root-cause analysis: ${e.rca.predicted} of ${e.rca.cases} cases predicted.`),
    h(
      'div',
      { class: 'scroll' },
      h('table', { class: 'compact', id: 'evaluation-table' }, h('caption', {}, 'Accuracy of the rankings'), h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Level'), ['AC@1', 'AC@3', 'AC@5', 'Avg@5'].map((k) => h('th', { scope: 'col' }, k)))), h('tbody', {}, levels)),
    ),
    h('p', {}, `Anomalies: precision ${pct(e.anomalies.precision)}, recall ${pct(e.anomalies.recall)}, F1 ${pct(e.anomalies.f1)}; ${e.anomalies.incidentsFound} of ${e.anomalies.incidents} incidents found.`),
  );
}

/** The form that scores a prediction document against the dataset, and the last result. */
export function renderEvaluation(section: HTMLElement, job: Job, signal: AbortSignal): void {
  const out = h('div', { id: 'evaluation-result', 'aria-live': 'polite' });
  const input = h('textarea', { id: 'predictions', rows: '6', spellcheck: 'false', placeholder: '{"rca": [{"incident_id": "…", "ranking": ["service:metric", …]}], "anomalies": [{"host_id": "…", "timestamp": "…"}]}', 'aria-describedby': 'predictions-help predictions-error' });
  const file = h('input', { id: 'predictions-file', type: 'file', accept: 'application/json,.json' });
  const error = h('p', { class: 'field-error', id: 'predictions-error', role: 'alert' });
  file.addEventListener('change', () => {
    void file.files?.[0]?.text().then((t) => {
      input.value = t;
    });
  });
  const form = h(
    'form',
    {
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        error.textContent = '';
        let doc: unknown;
        try {
          doc = JSON.parse(input.value);
        } catch {
          error.textContent = 'This is not JSON.';
          return;
        }
        api<Evaluation>(`/v1/jobs/${job.id}/evaluations`, { method: 'POST', body: doc, signal })
          .then((e) => {
            sessionStorage.setItem(EVALUATION_ITEM(job.id), JSON.stringify(e));
            showEvaluation(out, e);
          })
          .catch((err: unknown) => {
            if (isAbort(err)) return;
            error.textContent = err instanceof ApiError && err.fieldErrors.length ? err.fieldErrors.map((f) => `${f.field}: ${f.message}`).join('; ') : err instanceof Error ? err.message : String(err);
          });
      },
    },
    h('label', { for: 'predictions' }, 'Predictions (JSON)'),
    input,
    h('p', { class: 'help', id: 'predictions-help' }, 'The document `npm run evaluate` reads: root-cause rankings per primary incident and flagged host-intervals. Scored on the server; nothing is stored.'),
    error,
    h('div', { class: 'row wrap-row' }, h('label', { for: 'predictions-file' }, 'or a file'), file, h('button', { type: 'submit' }, 'Score')),
  );
  replace(section, h('h2', { id: 'evaluation-title' }, 'Evaluate a model'), form, out);
  const last = sessionStorage.getItem(EVALUATION_ITEM(job.id));
  if (last) showEvaluation(out, JSON.parse(last) as Evaluation);
}
