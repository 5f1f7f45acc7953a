// Rewrites test/golden/tiny from the current generator. Run it only for a change that is meant to
// alter the output, and say why in the commit: the golden bytes are the determinism contract.
import { rm } from 'node:fs/promises';
import { normalizeConfig } from '../../src/core/config.ts';
import { createSimulation } from '../../src/core/simulation.ts';
import { writeDataset } from '../../src/output/json-writer.ts';
import { GOLDEN_CONFIG, GOLDEN_DIR } from './golden.ts';

await rm(GOLDEN_DIR, { recursive: true, force: true });
await writeDataset(createSimulation(normalizeConfig(GOLDEN_CONFIG, 0)), GOLDEN_DIR);
process.stdout.write(`golden dataset written to ${GOLDEN_DIR}\n`);
