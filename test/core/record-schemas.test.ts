import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TSchema } from 'typebox';
import type { GenerationConfigInput } from '../../src/core/config.ts';
import { INCIDENT_TYPES } from '../../src/core/incident-types.ts';
import { EVENT_SCHEMAS, RECORD_SCHEMAS, schemaId } from '../../src/core/record-schemas.ts';
import { EVENT_TYPES } from '../../src/core/records.ts';
import { generate } from '../helpers/dataset.ts';
import { GOLDEN_DIR } from '../helpers/golden.ts';

// Both directions: the schemas refuse any field they do not name (additionalProperties: false) and
// require what is always written; and every field a schema names is written somewhere, so the
// schemas are not looser than the data.

function compile(): (id: string) => ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  formats.default(ajv);
  for (const s of RECORD_SCHEMAS) ajv.addSchema(s as object);
  return (id) => {
    const v = ajv.getSchema(id);
    assert.ok(v, `schema ${id}`);
    return v;
  };
}

type Row = Record<string, unknown>;

/** Every record of a dataset folder, by schema id. */
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

/** Validates every record; returns the first failures (none expected). */
function failures(get: (id: string) => ValidateFunction, byId: Map<string, Row[]>): string[] {
  const out: string[] = [];
  for (const [id, rows] of byId) {
    const v = get(id);
    for (const row of rows) {
      if (!v(row) && out.length < 5) out.push(`${id}: ${JSON.stringify(v.errors?.slice(0, 2))} in ${JSON.stringify(row).slice(0, 300)}`);
    }
  }
  return out;
}

/** Every property path a schema declares (objects, nested objects, array items), as `a.b[].c`. */
function declaredPaths(schema: TSchema, prefix = ''): string[] {
  const s = schema as { properties?: Record<string, TSchema>; items?: TSchema; anyOf?: TSchema[]; type?: unknown };
  const out: string[] = [];
  if (s.properties) {
    for (const [k, v] of Object.entries(s.properties)) {
      out.push(`${prefix}${k}`);
      out.push(...declaredPaths(v, `${prefix}${k}.`));
    }
  }
  if (s.items) out.push(...declaredPaths(s.items, `${prefix.replace(/\.$/, '')}[].`));
  for (const member of s.anyOf ?? []) out.push(...declaredPaths(member, prefix));
  return out;
}

/** Every property path that occurs in some value. */
function writtenPaths(value: unknown, prefix = '', into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) writtenPaths(v, `${prefix.replace(/\.$/, '')}[].`, into);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(`${prefix}${k}`);
      writtenPaths(v, `${prefix}${k}.`, into);
    }
  }
  return into;
}

// Record-keyed maps (service_dependencies) have no fixed property names to look for.
const OPEN_MAPS = ['generation_config.service_dependencies'];

/**
 * A month with every incident type, cascades, OOM kills, changes as causes and maintenance windows:
 * every event type and every optional field occurs.
 */
const RICH: GenerationConfigInput = { startDate: '2024-06-01', days: 21, hostsPerService: 1, granularityMinutes: 30, incidentRate: 3, seed: 11 };

test('every record of the golden dataset validates against its schema', async () => {
  const get = compile();
  assert.deepEqual(failures(get, await records(GOLDEN_DIR)), []);
});

for (const annotateRecords of [false, true]) {
  test(`every record of a generated dataset validates, and every declared field is written (annotateRecords: ${annotateRecords})`, async (t) => {
    const { dir, catalog } = await generate(t, { ...RICH, annotateRecords });
    const get = compile();
    const byId = await records(dir);
    assert.deepEqual(failures(get, byId), []);

    // Both event types and incident types are all there, so the per-type schemas are all exercised.
    const events = byId.get('EventRecord') ?? [];
    assert.deepEqual([...new Set(events.map((e) => e.type))].sort(), [...EVENT_TYPES].sort());
    assert.deepEqual([...new Set(catalog.incidents.map((i) => i.type))].sort(), [...INCIDENT_TYPES].sort());

    // Every field a schema declares is written at least once (the annotateRecords ones only with it on).
    const annotationOnly = (path: string): boolean => /(^|\.)(incident_id|incident_type|primary_incident_id|parent_incident_id)$/.test(path) && !path.startsWith('incidents[]');
    const check = (schema: TSchema, rows: Row[]): void => {
      const written = writtenPaths(rows);
      const declared = declaredPaths(schema).map((p) => `[].${p}`);
      const missing = declared.filter((p) => !written.has(p) && !OPEN_MAPS.some((m) => p.startsWith(`[].${m}.`)) && (annotateRecords || !annotationOnly(p.slice(3))));
      assert.deepEqual(missing, [], `${schemaId(schema)}: declared but never written`);
      if (!annotateRecords) {
        const leaked = [...written].filter((p) => /\.(incident_id|incident_type)$/.test(p) && !p.includes('incidents[]'));
        assert.deepEqual(leaked, [], `${schemaId(schema)}: no catalog ids in the data by default`);
      }
    };
    for (const s of EVENT_SCHEMAS) check(s, events.filter((e) => e.type === (s.properties.type as { const: string }).const));
    const nested: Record<string, Row[]> = { Incident: catalog.incidents as unknown as Row[], CatalogSummary: [catalog.summary as unknown as Row] };
    for (const s of RECORD_SCHEMAS) {
      const id = schemaId(s);
      if (id === 'EventRecord' || id.endsWith('Event')) continue;
      check(s, nested[id] ?? byId.get(id) ?? []);
    }
  });
}
