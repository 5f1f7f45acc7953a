import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { FORMATS, type GenerationConfigInput } from '../../src/core/config.ts';
import { GOLDEN_CONFIG } from './golden.ts';
import { listFiles } from './dataset.ts';

/** The golden dataset in every format: its JSON files are test/golden/tiny, the others are pinned by hash. */
export const GOLDEN_FORMATS_CONFIG: GenerationConfigInput = { ...GOLDEN_CONFIG, formats: [...FORMATS] };

/** sha256 of every file of the golden dataset that is not the original's JSON, by path. */
export const GOLDEN_FORMATS_MANIFEST = fileURLToPath(new URL('../golden/formats.sha256.json', import.meta.url));

/** sha256 of each non-JSON file in a dataset folder, by path; a gzipped file is hashed unzipped (the content is the contract, zlib's bytes may differ between Node releases). */
export async function formatHashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await listFiles(dir)) {
    if (f.endsWith('.json') || f.endsWith('root_cause.txt')) continue;
    let bytes: Uint8Array = await readFile(join(dir, f));
    if (f.endsWith('.gz')) bytes = gunzipSync(bytes);
    out[f] = createHash('sha256').update(bytes).digest('hex');
  }
  return out;
}
