// There is no Docker engine on these machines, so this checks what can be checked without one. Here,
// in `npm test`, the Dockerfile as a text: its stages, user, health check and build context. Its
// build and start steps run in test/docker-build.slow.ts (`npm run test:slow`, which .ci/run runs
// too): two real `npm ci` into scratch folders take about 2 minutes of a 2-core machine. There, the
// Dockerfile's instructions are interpreted in a scratch folder (one folder per stage; a stage built
// FROM an earlier one starts as a copy of it), its npm steps run for real, and the last stage's
// folder (the default image) must start a server that passes the Dockerfile's own HEALTHCHECK.
// System steps (apt-get, mkdir/chown of /data, USER) need root in an image and are skipped; their
// effect is checked by reading them.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDockerfile } from './helpers/dockerfile.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function ignored(path: string, patterns: string[]): boolean {
  return patterns.some((p) => p === path || p === path.split('/')[0] || (p.startsWith('*') && path.endsWith(p.slice(1))));
}

test('the Dockerfile: multi-stage, npm ci --omit=dev, non-root, HEALTHCHECK on /healthz, 0.0.0.0, /data volume', async () => {
  const ins = await parseDockerfile();
  const from = ins.filter((i) => i.op === 'FROM');
  assert.ok(from.length >= 2, 'multi-stage');
  assert.ok(ins.some((i) => i.op === 'RUN' && /npm ci --omit=dev/.test(i.args)));
  const user = ins.filter((i) => i.op === 'USER').pop();
  assert.ok(user && user.args !== 'root' && user.args !== '0', 'runs as a non-root user');
  assert.ok(ins.findLastIndex((i) => i.op === 'USER') > ins.findIndex((i) => i.op === 'FROM' && i === from[from.length - 1]), 'USER in the final stage');
  assert.match(ins.find((i) => i.op === 'HEALTHCHECK')?.args ?? '', /\/healthz/);
  const env = ins.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
  assert.match(env, /HOST=0\.0\.0\.0/);
  assert.match(env, /MELT_DATA_DIR=\/data/);
  assert.match(ins.find((i) => i.op === 'VOLUME')?.args ?? '', /\/data/);

  // Every file the Dockerfile copies from the build context exists and is not .dockerignored.
  const ignore = (await readFile(join(ROOT, '.dockerignore'), 'utf8')).split('\n').map((l) => l.trim()).filter(Boolean);
  for (const i of ins.filter((x) => x.op === 'COPY' && !x.args.startsWith('--from'))) {
    const sources = i.args.split(/\s+/).slice(0, -1);
    for (const s of sources) {
      assert.ok(existsSync(join(ROOT, s)), `COPY source ${s} exists`);
      assert.ok(!ignored(s, ignore), `COPY source ${s} is not in .dockerignore`);
    }
  }
});
