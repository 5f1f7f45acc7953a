import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Compression } from '../../src/core/config.ts';
import { CATALOG_PARQUET_PATH, dayPath, type DayContent } from '../../src/output/layout.ts';
import { PARQUET_COLUMNS, type ColumnSpec } from '../../src/output/parquet.ts';
import { generate } from '../helpers/dataset.ts';

// DuckDB, a reader people use, reads every Parquet and NDJSON file of small fixed-seed datasets:
// the row counts and every value must be those of the JSON files.

let instance: DuckDBInstance;
let db: DuckDBConnection;
before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  db = await instance.connect();
});
after(() => {
  db.closeSync();
  instance.closeSync();
});

const sql = (path: string): string => `'${path.replaceAll("'", "''")}'`;

async function rows(query: string): Promise<Record<string, unknown>[]> {
  return (await db.runAndReadAll(query)).getRowObjectsJS() as Record<string, unknown>[];
}

function valueAt(record: unknown, path: readonly string[]): unknown {
  let v: unknown = record;
  for (const k of path) v = v === null || typeof v !== 'object' ? undefined : (v as Record<string, unknown>)[k];
  return v === undefined ? null : v;
}

/** Compares DuckDB's rows of a Parquet table with the JSON records, column by column. */
function compare(where: string, columns: readonly ColumnSpec[], read: Record<string, unknown>[], expected: unknown[]): number {
  assert.equal(read.length, expected.length, `${where}: row count`);
  let values = 0;
  read.forEach((row, i) => {
    assert.deepEqual(Object.keys(row), columns.map((c) => c.name), `${where}: columns`);
    for (const c of columns) {
      const want = valueAt(expected[i], c.path);
      const got = row[c.name];
      const at = `${where} row ${i} ${c.name}`;
      if (want === null) assert.equal(got, null, at);
      else if (c.kind === 'TIMESTAMP') assert.equal((got as Date).getTime(), Date.parse(want as string), at);
      else if (c.kind === 'JSON') assert.deepEqual(JSON.parse(got as string), want, at);
      else assert.equal(got, c.kind === 'DOUBLE' ? Number(want) : want, at);
      values++;
    }
  });
  return values;
}

const SIGNALS = ['metrics', 'events', 'logs', 'traces'] as const;

for (const [annotateRecords, compression] of [
  [false, 'none'],
  [true, 'gzip'],
] as [boolean, Compression][]) {
  test(`DuckDB reads every Parquet and NDJSON file with the JSON files' rows and values (annotateRecords ${annotateRecords}, compression ${compression})`, async (t) => {
    const { dir, sim, catalog } = await generate(t, { startDate: '2024-06-30', days: 2, hostsPerService: 1, granularityMinutes: 60, incidentRate: 2, seed: 20240601, annotateRecords, compression, formats: ['json', 'ndjson', 'parquet'] });
    let values = 0;
    for (let d = 0; d < sim.config.days; d++) {
      const date = new Date(sim.startMs + d * 86_400_000).toISOString().slice(0, 10);
      for (const content of [...SIGNALS, 'labels'] as DayContent[]) {
        const json = JSON.parse(await readFile(join(dir, dayPath(content, date, 'json', 'none')), 'utf8')) as Record<string, unknown>[];
        // Parquet: typed columns.
        const parquet = await rows(`SELECT * FROM read_parquet(${sql(join(dir, dayPath(content, date, 'parquet', compression)))})`);
        if (content === 'labels') {
          const long = json.flatMap((r) => (r.incidents as Record<string, unknown>[]).map((i) => ({ timestamp: r.timestamp, host_id: r.host_id, service: r.service, ...i })));
          values += compare(`${date} labels`, PARQUET_COLUMNS.labels, parquet, long);
        } else values += compare(`${date} ${content}`, PARQUET_COLUMNS[content], parquet, json);
        // NDJSON: each line is the JSON file's record, in order; DuckDB also reads it as a table.
        const ndjson = join(dir, dayPath(content, date, 'ndjson', compression));
        const objects = await rows(`SELECT json FROM read_json_objects(${sql(ndjson)}, format = 'newline_delimited')`);
        assert.deepEqual(
          objects.map((o) => JSON.parse(o.json as string)),
          json,
          `${date} ${content} ndjson`,
        );
        if (json.length > 0) {
          const [count] = await rows(`SELECT count(*)::INTEGER AS n FROM read_json(${sql(ndjson)}, format = 'newline_delimited')`);
          assert.equal(count?.n, json.length);
        }
      }
    }
    const incidents = await rows(`SELECT * FROM read_parquet(${sql(join(dir, CATALOG_PARQUET_PATH))})`);
    assert.ok(catalog.incidents.length > 0);
    values += compare('catalog', PARQUET_COLUMNS.incidents, incidents, catalog.incidents);
    assert.ok(values > 10_000, `${values} values compared`);
    // The columns are typed as documented.
    const types = await rows(`DESCRIBE SELECT * FROM read_parquet(${sql(join(dir, dayPath('metrics', '2024-06-30', 'parquet', compression)))})`);
    const typeOf = new Map(types.map((r) => [r.column_name, r.column_type]));
    assert.equal(typeOf.get('timestamp'), 'TIMESTAMP');
    assert.equal(typeOf.get('system.cpu.util'), 'DOUBLE');
    assert.equal(typeOf.get('host_id'), 'VARCHAR');
  });
}
