import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Type, type TSchema } from 'typebox';
import { buildCatalog } from '../../src/core/catalog.ts';
import { normalizeConfig, type GenerationConfigInput } from '../../src/core/config.ts';
import { createSimulation } from '../../src/core/simulation.ts';
import { INCIDENT_TYPES } from '../../src/core/incident-types.ts';
import * as recordSchemas from '../../src/core/record-schemas.ts';
import { EVENT_SCHEMAS, EventRecordSchema, MetricRecordSchema, RECORD_SCHEMAS, schemaId, schemaRef } from '../../src/core/record-schemas.ts';
import { EVENT_TYPES } from '../../src/core/records.ts';
import { generate } from '../helpers/dataset.ts';
import { GOLDEN_DIR } from '../helpers/golden.ts';
import { SchemaUsage, type Json, type Schema } from '../helpers/schema-usage.ts';

// The record schemas against real output, both ways:
// - nothing written is unknown to them: every record of the golden dataset and of generated ones
//   validates, and every object schema refuses unknown fields (additionalProperties: false);
// - they are not looser than the data: every declared field is written, every optional field is
//   sometimes absent, every nullable field is sometimes null (and sometimes not), every enum value
//   occurs, so each optional / nullable / enum in the schemas is one the writers need.

type Row = Record<string, Json>;
const BY_ID = new Map(RECORD_SCHEMAS.map((s) => [schemaId(s), s as Schema]));
/** The schemas of the files; the others are reached through their $refs. */
const FILE_SCHEMA_IDS = ['MetricRecord', 'SpanRecord', 'LogRecord', 'EventRecord', 'LabelRecord', 'Catalog'];

function compile(): (id: string) => ValidateFunction {
  const ajv = new Ajv({ strict: true, allErrors: true });
  formats.default(ajv);
  for (const s of RECORD_SCHEMAS) ajv.addSchema(s as object);
  return (id) => ajv.getSchema(id) ?? assert.fail(`schema ${id}`);
}

/** Every record of a dataset folder, by the schema id its file holds. */
async function records(dir: string): Promise<Map<string, Row[]>> {
  const out = new Map<string, Row[]>();
  const add = (id: string, rows: Row[]): void => {
    out.set(id, [...(out.get(id) ?? []), ...rows]);
  };
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.json')).sort();
  for (const f of files) {
    const data = JSON.parse(await readFile(join(dir, f), 'utf8')) as Row[] | Row;
    if (f === 'metadata/incident_catalog.json') add('Catalog', [data as Row]);
    else if (f.startsWith('metadata/labels/')) add('LabelRecord', data as Row[]);
    else if (f.startsWith('metrics/')) add('MetricRecord', data as Row[]);
    else if (f.startsWith('events/')) add('EventRecord', data as Row[]);
    else if (f.startsWith('logs/')) add('LogRecord', data as Row[]);
    else if (f.startsWith('traces/')) add('SpanRecord', data as Row[]);
    else assert.fail(`unexpected file ${f}`);
  }
  return out;
}

/** Validates every record; the first failures (none expected), and how many records were checked. */
function validateAll(get: (id: string) => ValidateFunction, byId: Map<string, Row[]>): { failures: string[]; count: number } {
  const failures: string[] = [];
  let count = 0;
  for (const [id, rows] of byId) {
    const v = get(id);
    for (const row of rows) {
      count++;
      if (!v(row) && failures.length < 5) failures.push(`${id}: ${JSON.stringify(v.errors?.slice(0, 2))} in ${JSON.stringify(row).slice(0, 300)}`);
    }
  }
  return { failures, count };
}

// The fields annotateRecords adds; on the data rows they are the catalog's ids, absent by default.
const ANNOTATION_FIELD = /^(MetricRecord|SpanRecord|LogRecord|\w+Event)\.(incident_id|incident_type|primary_incident_id|parent_incident_id)$/;

/**
 * Seven weeks of five hosts with many incidents (every type, cascades, OOM kills, changes as
 * causes, incidents still running at the end, every failure kind on spans) and enough routine
 * events for every rollback reason: every event type, field and enum value occurs. The seed was
 * picked so that they all do.
 */
const RICH: GenerationConfigInput = { startDate: '2024-06-01', days: 49, hostsPerService: 1, granularityMinutes: 60, incidentRate: 4, tracesPerEntryHost: 2, seed: 1 };

// ---- The tests --------------------------------------------------------------------------------

test('the schemas are named as exported, referenced by $ref, closed, and the events follow EVENT_TYPES', () => {
  // `XSchema` has $id X and is listed in RECORD_SCHEMAS; the list holds nothing else.
  const exported = Object.entries(recordSchemas).filter(([name]) => name.endsWith('Schema'));
  for (const [name, schema] of exported) assert.equal(schemaId(schema as TSchema), name.slice(0, -'Schema'.length), name);
  assert.deepEqual(RECORD_SCHEMAS.map(schemaId).sort(), exported.map(([name]) => name.slice(0, -'Schema'.length)).sort());

  // TypeBox's Ref is a plain $ref, and schemaRef keeps only it.
  assert.deepEqual(JSON.parse(JSON.stringify(Type.Ref('X'))), { $ref: 'X' });
  assert.deepEqual(JSON.parse(JSON.stringify(schemaRef(MetricRecordSchema))), { $ref: 'MetricRecord' });
  assert.throws(() => schemaRef(Type.String()), /no \$id/);

  // Every object is closed (a map is closed by its pattern), every $ref names a schema of the list,
  // and no named schema is inlined in another.
  const walk = (s: Schema, where: string, top: boolean): void => {
    if (!top) assert.equal(s.$id, undefined, `${where}: a named schema is referenced, not inlined`);
    if (s.$ref) assert.ok(BY_ID.has(s.$ref), `${where}: $ref ${s.$ref}`);
    if (s.type === 'object') assert.ok(s.additionalProperties === false || (s.patternProperties && Object.keys(s.patternProperties).join() === '^.*$'), `${where}: additionalProperties false`);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${where}.${k}`, false);
    for (const v of Object.values(s.patternProperties ?? {})) walk(v, `${where}{}`, false);
    if (s.items) walk(s.items, `${where}[]`, false);
    for (const m of s.anyOf ?? []) walk(m, `${where}|`, false);
  };
  for (const s of RECORD_SCHEMAS) walk(s as Schema, schemaId(s), true);

  // One event schema per EVENT_TYPES entry, in its order, and the union is their $refs.
  assert.deepEqual(EVENT_SCHEMAS.map((s) => s.properties.type.const), [...EVENT_TYPES]);
  assert.deepEqual((EventRecordSchema as Schema).anyOf?.map((m) => m.$ref), EVENT_SCHEMAS.map(schemaId));
  for (const s of EVENT_SCHEMAS) assert.match(schemaId(s), /^[A-Z][A-Za-z]+Event$/);
});

test('every record of the golden dataset validates against its schema', async () => {
  const get = compile();
  const { failures, count } = validateAll(get, await records(GOLDEN_DIR));
  assert.deepEqual(failures, []);
  assert.ok(count > 1000, `${count} records`);
});

test('generated datasets, with and without annotateRecords: every record validates, and the schemas are no looser than the data', async (t: TestContext) => {
  const get = compile();
  const usage = new SchemaUsage(RECORD_SCHEMAS);
  const plain = new SchemaUsage(RECORD_SCHEMAS);
  const samples = new Map<string, Row>();
  for (const annotateRecords of [false, true]) {
    await t.test(`annotateRecords: ${annotateRecords}`, async (t) => {
      const { dir, catalog } = await generate(t, { ...RICH, annotateRecords });
      const byId = await records(dir);
      const { failures, count } = validateAll(get, byId);
      assert.deepEqual(failures, []);
      assert.ok(count > 20_000, `${count} records`);
      // Every event type and every incident type is there, so every per-type schema is exercised.
      assert.deepEqual([...new Set((byId.get('EventRecord') ?? []).map((e) => e.type))].sort(), [...EVENT_TYPES].sort());
      assert.deepEqual([...new Set(catalog.incidents.map((i) => i.type))].sort(), [...INCIDENT_TYPES].sort());
      for (const [id, rows] of byId) {
        for (const row of rows) {
          usage.observe(id, row);
          if (!annotateRecords) plain.observe(id, row);
          const key = id === 'EventRecord' ? String(row.type) : id;
          // The fullest record of each kind (optional fields present), for the checks below.
          const fullest = samples.get(key);
          if (annotateRecords && (!fullest || Object.keys(row).length > Object.keys(fullest).length)) samples.set(key, row);
        }
      }
    });
  }

  // The benchmark presets' catalogs: every topology and difficulty, the service kinds, decoys.
  for (const [topology, difficulty] of [['online-boutique', 'realistic'], ['sock-shop', 'hard'], ['train-ticket', 'hard']] as const) {
    const catalog = buildCatalog(createSimulation(normalizeConfig({ topology, difficulty, days: 2, seed: 2, incidentRate: 1 }, 0))) as unknown as Row;
    const { failures } = validateAll(get, new Map([['Catalog', [catalog]]]));
    assert.deepEqual(failures, [], `${topology} ${difficulty}`);
    usage.observe('Catalog', catalog);
  }

  // Every place of every schema is needed: written, sometimes absent if optional, sometimes null if
  // nullable, every enum value used (over both runs: the annotation fields only come with annotateRecords).
  assert.deepEqual(usage.looser(FILE_SCHEMA_IDS), []);
  const { places, reached } = usage.declared(FILE_SCHEMA_IDS);
  assert.deepEqual([...reached].sort(), RECORD_SCHEMAS.map(schemaId).sort(), 'every named schema is reached from a file’s schema');

  // The annotation fields are written only with annotateRecords: by default no catalog id is in the data.
  const leaked = [...plain.seen].filter(([path, s]) => ANNOTATION_FIELD.test(path) && s.present > 0).map(([path]) => path);
  assert.deepEqual(leaked, [], 'no catalog ids in the data by default');
  const annotated = places.filter((d) => ANNOTATION_FIELD.test(d.path)).map((d) => d.path);
  assert.equal(annotated.length, 18, 'incident_id and incident_type on metrics, spans, logs and five event types; two more ids on cascade triggers');
  for (const path of annotated) assert.equal(places.find((d) => d.path === path)?.optional, true, `${path} is optional`);

  // Closed both ways on real records (annotated where the record can be): an unknown field is
  // refused, and dropping a field is refused exactly when the field is required.
  assert.equal(samples.size, FILE_SCHEMA_IDS.length - 1 + EVENT_TYPES.length);
  for (const [key, row] of samples) {
    const v = get(eventSchemaId(key) ? 'EventRecord' : key);
    const schema = BY_ID.get(eventSchemaId(key) ?? key) as Schema;
    assert.equal(v(row), true, key);
    assert.equal(v({ ...row, unknown_field: 1 }), false, `${key}: an unknown field is refused`);
    for (const field of Object.keys(row)) {
      const { [field]: _dropped, ...without } = row;
      assert.equal(v(without), !(schema.required ?? []).includes(field), `${key} without ${field}`);
    }
  }
  const catalog = samples.get('Catalog') as { incidents: Row[]; summary: Row; generation_config: Row };
  const v = get('Catalog');
  assert.equal(v({ ...catalog, incidents: [{ ...catalog.incidents[0], extra: true }] }), false, 'an unknown field in a nested incident is refused');
  assert.equal(v({ ...catalog, generation_config: { ...catalog.generation_config, extra: true } }), false, 'an unknown field in generation_config is refused');
  assert.equal(v({ ...catalog, summary: { ...catalog.summary, extra: 1 } }), false, 'an unknown field in the summary is refused');
  const span = samples.get('SpanRecord') as Row & { attributes: Row };
  assert.equal(get('SpanRecord')({ ...span, attributes: { ...span.attributes, extra: 'x' } }), false, 'an unknown span attribute is refused');
  const label = samples.get('LabelRecord') as Row & { incidents: Row[] };
  assert.equal(get('LabelRecord')({ ...label, incidents: [{ ...label.incidents[0], extra: 'x' }] }), false, 'an unknown field in a label entry is refused');
});

/** The `$id` of an event type's schema (`DEPLOYMENT` -> `DeploymentEvent`), or undefined for another key. */
function eventSchemaId(key: string): string | undefined {
  const i = (EVENT_TYPES as readonly string[]).indexOf(key);
  return i < 0 ? undefined : schemaId(EVENT_SCHEMAS[i] as TSchema);
}
