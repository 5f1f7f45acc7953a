// Writes openapi/openapi.json from the routes, and openapi/meltgen-api.d.ts (the TypeScript types a
// client generates from it with openapi-typescript) (`npm run openapi`). Tests fail when either
// committed file differs from what the server serves, so run this after changing a route.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.ts';
import { generateClientTypes } from './client-types.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'meltgen-openapi-'));
const app = await buildApp({ dataDir });
await app.ready();
const out = new URL('../openapi/openapi.json', import.meta.url);
await writeFile(out, JSON.stringify(app.swagger(), null, 2) + '\n');
await app.close();
await rm(dataDir, { recursive: true, force: true });
const types = new URL('../openapi/meltgen-api.d.ts', import.meta.url);
await writeFile(types, await generateClientTypes(out));
process.stdout.write(`wrote ${out.pathname} and ${types.pathname}\n`);
