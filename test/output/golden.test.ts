import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { GOLDEN_CONFIG, GOLDEN_DIR } from '../helpers/golden.ts';
import { generate, listFiles } from '../helpers/dataset.ts';

// If this fails after a deliberate change of the output, run `npm run golden:update`, review the
// diff of test/golden, and say in the commit why the bytes changed.
test('a tiny fixed-seed dataset matches the golden files byte for byte', async (t) => {
  const { dir, catalog } = await generate(t, GOLDEN_CONFIG);
  assert.ok(catalog.incidents.length > 0, 'the golden dataset has incidents');
  const expected = await listFiles(GOLDEN_DIR);
  assert.deepEqual(await listFiles(dir), expected);
  for (const f of expected) {
    const [got, want] = await Promise.all([readFile(join(dir, f), 'utf8'), readFile(join(GOLDEN_DIR, f), 'utf8')]);
    assert.ok(got === want, `${f} differs from the golden file`);
  }
});
