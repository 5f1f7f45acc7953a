// Writes openapi/openapi.json from the routes (`npm run openapi`). A test fails when the committed
// file differs from what the server serves, so run this after changing a route.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'meltgen-openapi-'));
const app = await buildApp({ dataDir });
await app.ready();
const out = new URL('../openapi/openapi.json', import.meta.url);
await writeFile(out, JSON.stringify(app.swagger(), null, 2) + '\n');
await app.close();
await rm(dataDir, { recursive: true, force: true });
process.stdout.write(`wrote ${out.pathname}\n`);
