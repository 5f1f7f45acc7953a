// Rewrites test/golden/tiny from the current generator. Run it only for a change that is meant to
// alter the output, and say why in the commit: the golden bytes are the determinism contract.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeConfig } from '../../src/core/config.ts';
import { createSimulation } from '../../src/core/simulation.ts';
import { writeDataset } from '../../src/output/json-writer.ts';
import { GOLDEN_CONFIG, GOLDEN_DIR } from './golden.ts';
import { formatHashes, GOLDEN_FORMATS_CONFIG, GOLDEN_FORMATS_MANIFEST } from './golden-formats.ts';

await rm(GOLDEN_DIR, { recursive: true, force: true });
await writeDataset(createSimulation(normalizeConfig(GOLDEN_CONFIG, 0)), GOLDEN_DIR);
process.stdout.write(`golden dataset written to ${GOLDEN_DIR}\n`);
// The other formats of the same dataset, pinned by the hash of each file.
const all = await mkdtemp(join(tmpdir(), 'meltgen-golden-'));
await writeDataset(createSimulation(normalizeConfig(GOLDEN_FORMATS_CONFIG, 0)), all);
await writeFile(GOLDEN_FORMATS_MANIFEST, JSON.stringify(await formatHashes(all), null, 2) + '\n');
await rm(all, { recursive: true, force: true });
process.stdout.write(`format hashes written to ${GOLDEN_FORMATS_MANIFEST}\n`);
