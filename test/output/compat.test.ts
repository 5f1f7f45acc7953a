import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { IncidentCatalog } from '../../src/core/catalog.ts';
import { SIGNALS } from '../../src/core/config.ts';
import type { EventRecord } from '../../src/core/records.ts';
import { generate, listFiles, readAll, readCatalog, readDay } from '../helpers/dataset.ts';

// Excerpts of the original generator's output: the compatibility contract is its layout and names.
const SAMPLE = fileURLToPath(new URL('../fixtures/seed-sample/melt_data', import.meta.url));
const SAMPLE_DATE = '2024-06-14';

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/**
 * Every field of `theirs` is in `ours`, with a value of the same JSON kind or null where there is
 * nothing to say (no rollback on a successful deployment); recurses into objects.
 */
function assertSuperset(ours: Record<string, unknown>, theirs: Record<string, unknown>, where: string, except: ReadonlySet<string> = new Set()): void {
  for (const [key, value] of Object.entries(theirs)) {
    if (except.has(key)) continue;
    assert.ok(key in ours, `${where}: field "${key}" of the original is missing`);
    if (ours[key] === null) continue;
    assert.equal(kind(ours[key]), kind(value), `${where}.${key}: ${kind(ours[key])} instead of ${kind(value)}`);
    if (kind(value) === 'object' && !(where.endsWith('incident_types') || key === 'incident_types')) {
      assertSuperset(ours[key] as Record<string, unknown>, value as Record<string, unknown>, `${where}.${key}`);
    }
  }
}

test('the layout is the original one: <signal>/YYYY-MM/<signal>_YYYY-MM-DD.json and metadata/', async (t) => {
  const { dir } = await generate(t, { startDate: '2024-06-29', days: 3, hostsPerService: 1, incidentRate: 1, seed: 1 });
  const files = await listFiles(dir);
  const expected = ['metadata/incident_catalog.json', 'metadata/root_cause.txt'];
  for (const date of ['2024-06-29', '2024-06-30', '2024-07-01']) {
    for (const s of SIGNALS) expected.push(`${s}/${date.slice(0, 7)}/${s}_${date}.json`);
    // An addition: the per-day ground-truth labels, beside the catalog.
    expected.push(`metadata/labels/${date.slice(0, 7)}/labels_${date}.json`);
  }
  assert.deepEqual(files, expected.sort());
  assert.deepEqual((await listFiles(SAMPLE)).filter((f) => f.endsWith('.json')).map((f) => f.split('/')[0]).sort(), ['events', 'logs', 'metadata', 'metrics', 'traces']);
});

/** The original's incident ids on event rows: labels, kept out of the data unless annotateRecords is set. */
const LABEL_FIELDS = new Set(['incident_id', 'incident_type', 'primary_incident_id', 'parent_incident_id']);

for (const annotateRecords of [false, true]) {
  test(`records keep every field of the original, with the same kinds of values (annotateRecords: ${annotateRecords})`, async (t) => {
    const { dir, sim } = await generate(t, { days: 10, hostsPerService: 2, incidentRate: 2, seed: 9, annotateRecords });
    for (const signal of ['metrics', 'logs', 'traces'] as const) {
      const theirs = await readDay<Record<string, unknown>>(SAMPLE, signal, SAMPLE_DATE);
      const ours = await readAll<Record<string, unknown>>(dir, sim, signal);
      for (const record of theirs) assertSuperset(ours[0] as Record<string, unknown>, record, signal);
    }
    const theirEvents = await readDay<EventRecord>(SAMPLE, 'events', SAMPLE_DATE);
    const ourEvents = await readAll<EventRecord>(dir, sim, 'events');
    const except = annotateRecords ? new Set<string>() : LABEL_FIELDS;
    for (const e of theirEvents) {
      // Compare like with like: the same type, and for events with variants the same variant
      // (an incident's USER_ACTION has a ticket-bearing incident, a routine one has none).
      const incidentAction = e.type === 'USER_ACTION' && 'incident_id' in e;
      const same = ourEvents.filter(
        (o) => o.type === e.type && (e.type !== 'MAINTENANCE_WINDOW' || o.status === e.status) && (e.type !== 'USER_ACTION' || (o.reason !== 'Routine operation') === incidentAction),
      );
      assert.ok(same.length > 0, `an event of type ${e.type}`);
      for (const o of same) assertSuperset(o, e, `event ${e.type}`, except);
      if (!annotateRecords) for (const o of same) for (const f of LABEL_FIELDS) assert.ok(!(f in o), `event ${e.type} carries no ${f} by default`);
    }
  });
}

test('the catalog keeps the original structure and adds the fixed ground truth', async (t) => {
  const { dir } = await generate(t, { days: 10, hostsPerService: 2, incidentRate: 2, seed: 9, incidentMix: { DB_CONTENTION: 1 } });
  const ours = await readCatalog(dir);
  const theirs = (await import('node:fs/promises').then((fs) => fs.readFile(`${SAMPLE}/metadata/incident_catalog.json`, 'utf8')).then(JSON.parse)) as IncidentCatalog;
  assertSuperset(ours.generation_config, theirs.generation_config, 'generation_config');
  assertSuperset(ours.summary as unknown as Record<string, unknown>, theirs.summary as unknown as Record<string, unknown>, 'summary');
  const [theirPrimary, theirCascade] = theirs.incidents;
  const ourPrimary = ours.incidents.find((i) => i.is_primary && i.cascading_incidents.length > 0);
  const ourCascade = ours.incidents.find((i) => !i.is_primary);
  assert.ok(ourPrimary && ourCascade && theirPrimary && theirCascade);
  assertSuperset(ourPrimary as unknown as Record<string, unknown>, theirPrimary as unknown as Record<string, unknown>, 'primary incident');
  assertSuperset(ourCascade as unknown as Record<string, unknown>, theirCascade as unknown as Record<string, unknown>, 'cascaded incident');
  // What the original lacked: times in UTC, the seed, the call graph, propagation paths.
  assert.match(ourPrimary.start_time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.equal(typeof ours.generation_config.seed, 'number');
  assert.deepEqual((ours.generation_config.service_dependencies as Record<string, string[]>)['web-frontend'], ['auth-service', 'payment-gateway', 'recommendation-engine']);
  assert.deepEqual(ourCascade.propagation_path.slice(0, 1), ['inventory-db']);
});
