// The submission form: the presets (topology, difficulty, formats) and the most used fields. As
// the form changes, POST /v1/estimates checks it with the API's own rules and messages (field
// errors land next to their fields) and gives the size; the JSON that will be posted is shown as
// it is, to copy into code.
import { api, ApiError, isAbort, type Estimate, type GenerationConfig, type SubmittedJob } from './api.ts';
import { announce, formatBytes, h, replace } from './dom.ts';
import { go } from './nav.ts';

type Topology = NonNullable<GenerationConfig['topology']>;
type Difficulty = NonNullable<GenerationConfig['difficulty']>;
type Format = NonNullable<GenerationConfig['formats']>[number];
type Signal = NonNullable<GenerationConfig['signals']>[number];

// Each list is checked against the API's types both ways: a value the API drops or adds fails the
// web typecheck.
const TOPOLOGIES = {
  default: 'Original: 5 services',
  'online-boutique': 'Online Boutique: 11 services',
  'sock-shop': 'Sock Shop: 15 services',
  'train-ticket': 'Train Ticket: 69 services',
} satisfies Record<Topology, string>;
const DIFFICULTIES = {
  easy: 'Easy: the generator as it always was',
  realistic: 'Realistic: slower onsets, decoys, alert storms',
  hard: 'Hard: faint, overlapping incidents, many decoys',
} satisfies Record<Difficulty, string>;
const FORMATS = {
  json: 'JSON (the original)',
  ndjson: 'NDJSON',
  parquet: 'Parquet',
  otlp: 'OTLP/JSON',
  openmetrics: 'OpenMetrics',
} satisfies Record<Format, string>;
const SIGNALS = { metrics: 'Metrics', events: 'Events', logs: 'Logs', traces: 'Traces' } satisfies Record<Signal, string>;

/** A number field: id, label, help, and the API's default shown as its placeholder. */
interface NumberField {
  readonly name: 'days' | 'seed' | 'hostsPerService' | 'granularityMinutes' | 'incidentRate' | 'tracesPerEntryHost';
  readonly label: string;
  readonly help: string;
  readonly placeholder?: string;
  readonly value?: string;
  readonly step?: string;
}

const NUMBER_FIELDS: readonly NumberField[] = [
  { name: 'days', label: 'Days', help: 'How many UTC days to generate.', value: '7' },
  { name: 'seed', label: 'Seed', help: 'The same config and seed give the same bytes. Empty: drawn at random.', placeholder: 'random' },
  { name: 'hostsPerService', label: 'Hosts per service', help: 'Empty: the preset’s own counts (5 per service for the original).', placeholder: 'preset' },
  { name: 'granularityMinutes', label: 'Minutes between samples', help: 'Must divide a day (1440).', placeholder: '15' },
  { name: 'incidentRate', label: 'Incidents per day', help: 'Mean number of primary incidents starting per day.', placeholder: '0.3', step: 'any' },
  { name: 'tracesPerEntryHost', label: 'Traces per entry host', help: 'Sampled request traces per entry-service host and interval.', placeholder: '1' },
];

function select<T extends string>(name: string, label: string, options: Record<T, string>, help: string): HTMLElement {
  return field(
    name,
    label,
    help,
    h(
      'select',
      { id: `f-${name}`, name, 'aria-describedby': `help-${name} err-${name}` },
      Object.entries<string>(options).map(([value, text]) => h('option', { value }, text)),
    ),
  );
}

function checkboxes<T extends string>(name: string, legend: string, options: Record<T, string>, checked: readonly string[], help: string): HTMLElement {
  return h(
    'fieldset',
    { class: 'field', id: `f-${name}`, 'aria-describedby': `help-${name} err-${name}` },
    h('legend', {}, legend),
    h(
      'div',
      { class: 'checks' },
      Object.entries<string>(options).map(([value, text]) =>
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name, value, checked: checked.includes(value) }), ` ${text}`),
      ),
    ),
    h('p', { class: 'help', id: `help-${name}` }, help),
    h('p', { class: 'field-error', id: `err-${name}` }),
  );
}

function field(name: string, label: string, help: string, control: HTMLElement): HTMLElement {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: `f-${name}` }, label),
    control,
    h('p', { class: 'help', id: `help-${name}` }, help),
    h('p', { class: 'field-error', id: `err-${name}` }),
  );
}

/** The body the form stands for: the presets always, other fields when filled in. */
function body(form: HTMLFormElement): Record<string, unknown> {
  const data = new FormData(form);
  const out: Record<string, unknown> = {};
  const text = (name: string): string => String(data.get(name) ?? '').trim();
  const days = text('days');
  if (days) out.days = Number(days);
  const start = text('startDate');
  if (start) out.startDate = start;
  out.topology = text('topology');
  out.difficulty = text('difficulty');
  out.formats = data.getAll('formats').map(String);
  const signals = data.getAll('signals').map(String);
  // All four is the default: left out, so the JSON stays short.
  if (signals.length !== Object.keys(SIGNALS).length) out.signals = signals;
  for (const f of NUMBER_FIELDS) {
    if (f.name === 'days') continue;
    const v = text(f.name);
    // A number the browser cannot read stays text, so the API names the field.
    if (v) out[f.name] = Number.isNaN(Number(v)) ? v : Number(v);
  }
  if (text('compression') === 'gzip') out.compression = 'gzip';
  return out;
}

/** Shows the problem's field errors next to their fields; those without a field go to `general`. */
function showErrors(form: HTMLFormElement, general: HTMLElement, errors: readonly { field: string; message: string }[]): void {
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const loose: string[] = [];
  for (const e of errors) {
    const name = e.field.replace(/^\/body\/?/, '').split('/')[0] ?? '';
    const slot = name ? form.querySelector<HTMLElement>(`#err-${name}`) : null;
    if (!slot) {
      loose.push(`${e.field}: ${e.message}`);
      continue;
    }
    const detail = e.field.split('/').length > 3 ? ` (${e.field.replace(/^\/body\//, '')})` : '';
    slot.textContent = `${slot.textContent ? `${slot.textContent}; ` : ''}${e.message}${detail}`;
    form.querySelector(`#f-${name}`)?.setAttribute('aria-invalid', 'true');
  }
  replace(general, loose.length ? h('ul', {}, loose.map((l) => h('li', {}, l))) : null);
}

/** The "New job" view. */
export function renderSubmit(view: HTMLElement, signal: AbortSignal): void {
  const general = h('div', { class: 'field-error', id: 'form-errors', role: 'alert' });
  const estimate = h('div', { class: 'estimate', id: 'estimate', 'aria-live': 'polite' }, 'Estimating…');
  const preview = h('pre', { class: 'json', id: 'json-preview', tabindex: '0', 'aria-label': 'The JSON that will be posted to /v1/jobs' });
  const copy = h('button', { type: 'button', class: 'secondary' }, 'Copy JSON');
  const submit = h('button', { type: 'submit', id: 'submit-job' }, 'Submit job');
  const form = h(
    'form',
    { class: 'submit-form', novalidate: true, 'aria-labelledby': 'new-title' },
    h(
      'div',
      { class: 'grid' },
      select('topology', 'Topology', TOPOLOGIES, 'The services and their call graph.'),
      select('difficulty', 'Difficulty', DIFFICULTIES, 'A preset of the benchmark knobs.'),
      checkboxes('formats', 'Formats', FORMATS, ['json'], 'Each format holds every signal it can carry; the console’s charts read JSON or NDJSON.'),
      checkboxes('signals', 'Signals', SIGNALS, Object.keys(SIGNALS), 'Which signals to write.'),
      NUMBER_FIELDS.map((f) =>
        field(
          f.name,
          f.label,
          f.help,
          h('input', { id: `f-${f.name}`, name: f.name, type: 'number', inputmode: 'decimal', step: f.step ?? '1', min: '0', value: f.value, placeholder: f.placeholder, 'aria-describedby': `help-${f.name} err-${f.name}` }),
        ),
      ),
      field('startDate', 'First day (UTC)', 'YYYY-MM-DD; empty: 2024-06-01.', h('input', { id: 'f-startDate', name: 'startDate', type: 'text', inputmode: 'numeric', placeholder: '2024-06-01', 'aria-describedby': 'help-startDate err-startDate' })),
      select('compression', 'Compression', { none: 'None', gzip: 'gzip (NDJSON, OTLP, OpenMetrics)' }, 'JSON always stays as the original wrote it.'),
    ),
    general,
    h('div', { class: 'actions' }, submit),
  );

  let seq = 0;
  let timer: number | undefined;
  const update = (): void => {
    const b = body(form);
    preview.textContent = JSON.stringify(b, null, 2);
    window.clearTimeout(timer);
    // Once typing pauses: the estimate is a request, and each one counts against the rate limit.
    timer = window.setTimeout(() => {
      const mine = ++seq;
      api<Estimate>('/v1/estimates', { method: 'POST', body: b, signal })
        .then((e) => {
          if (mine !== seq) return;
          showErrors(form, general, []);
          replace(
            estimate,
            h('strong', {}, `About ${formatBytes(e.estimatedBytes)}`),
            ` · ${e.days} days · ${e.hosts} hosts in ${e.services} services · ${formatBytes(e.bytesPerDay)} a day`,
            h('br'),
            h('span', { class: 'muted' }, `This key stores ${formatBytes(e.limits.usedBytes)} of ${formatBytes(e.limits.quotaStoredBytes)}; ${e.limits.activeJobs} of ${e.limits.quotaConcurrentJobs} jobs queued or running.`),
            e.refusal ? h('p', { class: 'warning', role: 'alert' }, `The server would refuse it now (${e.refusal.code}): ${e.refusal.detail}`) : null,
          );
        })
        .catch((err: unknown) => {
          if (isAbort(err) || mine !== seq) return;
          if (err instanceof ApiError && err.fieldErrors.length > 0) {
            showErrors(form, general, err.fieldErrors);
            replace(estimate, h('span', { class: 'warning' }, 'Fix the fields marked below to see the size.'));
          } else replace(estimate, h('span', { class: 'warning' }, `No estimate: ${String(err instanceof Error ? err.message : err)}`));
        });
    }, 250);
  };
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  copy.addEventListener('click', () => {
    void navigator.clipboard.writeText(preview.textContent ?? '').then(
      () => announce('The JSON is copied.'),
      () => announce('Copying is not allowed here: select the JSON and copy it.'),
    );
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit.disabled = true;
    api<SubmittedJob>('/v1/jobs', { method: 'POST', body: body(form), signal })
      .then((job) => {
        announce(job.deduplicated ? 'The same job exists already: opening it.' : 'Job submitted.');
        go(`#/jobs/${job.id}`);
      })
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        submit.disabled = false;
        if (err instanceof ApiError && err.fieldErrors.length > 0) showErrors(form, general, err.fieldErrors);
        else replace(general, err instanceof Error ? err.message : String(err));
        form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      });
  });

  replace(
    view,
    h('h1', { id: 'new-title' }, 'New job'),
    h('div', { class: 'submit-layout' }, form, h('aside', { class: 'card side', 'aria-label': 'Estimate and JSON' }, h('h2', {}, 'Size'), estimate, h('h2', {}, 'JSON to post'), h('p', { class: 'help' }, 'POST /v1/jobs with this body gives the same job.'), preview, copy)),
  );
  update();
}
