// The Dockerfile's build and start steps, run outside Docker (there is no Docker engine on these
// machines): its instructions are interpreted in a scratch folder (one folder per stage; a stage
// built FROM an earlier one starts as a copy of it), its npm steps run for real, and the last
// stage's folder (the default image) must start a server that passes the Dockerfile's own
// HEALTHCHECK. System steps (apt-get, mkdir/chown of /data, USER) need root in an image and are
// skipped; test/docker.test.ts checks them by reading them.
//
// Not in `npm test`: two real `npm ci` take about 2 minutes of a 2-core machine (85 s of CPU). Run
// by `npm run test:slow`, which .ci/run runs after `npm test`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from './helpers/dataset.ts';
import { parseDockerfile } from './helpers/dockerfile.ts';
import { startServer } from './helpers/server.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The better-sqlite3 addon that this checkout's `npm ci` built, packed as the prebuilt binary its
 * installer (prebuild-install) looks for, in a folder given to it as its local prebuilds: the
 * Dockerfile's two `npm ci` steps then install that binary instead of compiling the addon again
 * (two compiles were 3.5 minutes of `npm test`). Same package version, same Node ABI, same machine.
 */
async function localPrebuilds(t: TestContext): Promise<Record<string, string>> {
  const dir = await tempDir(t, 'meltgen-prebuilds-');
  const pkg = join(ROOT, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(await readFile(join(pkg, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await run('tar', ['-czf', join(dir, name), '-C', pkg, 'build/Release/better_sqlite3.node']);
  return { npm_config_better_sqlite3_local_prebuilds: dir };
}

test('the Dockerfile’s build and start steps, run outside Docker, give a server that passes its HEALTHCHECK', { timeout: 600_000 }, async (t) => {
  const ins = await parseDockerfile();
  const scratch = await tempDir(t, 'meltgen-docker-');
  const prebuilt = await localPrebuilds(t);
  const stages = new Map<string, string>();
  /** Each stage's WORKDIR and ENV at its end, for the stages built `FROM` it. */
  const stageState = new Map<string, { workdir: string; env: Record<string, string> }>();
  let stageName = '';
  let stageDir = '';
  let workdir = '/';
  const env: Record<string, string> = {};
  const host = (p: string): string => join(stageDir, p.startsWith('/') ? p : join(workdir, p));
  const skipped: string[] = [];
  let cmd: string[] = [];
  let healthcheck = '';
  for (const i of ins) {
    switch (i.op) {
      case 'FROM': {
        if (stageName) stageState.set(stageName, { workdir, env: { ...env } });
        const name = /\bAS\s+(\S+)/i.exec(i.args)?.[1] ?? `stage${stages.size}`;
        const base = i.args.split(/\s+/)[0] as string;
        stageName = name;
        stageDir = join(scratch, name);
        stages.set(name, stageDir);
        await mkdir(stageDir, { recursive: true });
        workdir = '/';
        for (const k of Object.keys(env)) delete env[k];
        // `FROM <an earlier stage>` starts from that stage's files, WORKDIR and ENV.
        const parent = stageState.get(base);
        if (parent) {
          await cp(stages.get(base) as string, stageDir, { recursive: true, verbatimSymlinks: true });
          workdir = parent.workdir;
          Object.assign(env, parent.env);
        }
        break;
      }
      case 'WORKDIR':
        workdir = i.args;
        await mkdir(host('.'), { recursive: true });
        break;
      case 'ENV':
        for (const m of i.args.matchAll(/(\w+)=(\S+)/g)) env[m[1] as string] = m[2] as string;
        break;
      case 'COPY': {
        const parts = i.args.split(/\s+/);
        const fromStage = parts[0]?.startsWith('--from=') ? (parts.shift() as string).slice('--from='.length) : null;
        const dest = parts.pop() as string;
        for (const src of parts) {
          const source = fromStage ? join(stages.get(fromStage) as string, src) : join(ROOT, src);
          const target = dest.endsWith('/') ? join(host(dest), src.split('/').pop() as string) : host(dest);
          await cp(source, target, { recursive: true });
        }
        break;
      }
      case 'RUN':
        if (/^npm /.test(i.args)) await run('/bin/sh', ['-c', i.args], { cwd: host('.'), env: { ...process.env, ...prebuilt, ...env }, maxBuffer: 64 * 1024 * 1024 });
        else skipped.push(i.args);
        break;
      case 'CMD':
        cmd = JSON.parse(i.args) as string[];
        break;
      case 'HEALTHCHECK':
        healthcheck = i.args.replace(/^(--\S+\s+)*CMD\s+/, '');
        break;
      default:
        break;
    }
  }
  assert.ok(skipped.some((s) => s.startsWith('apt-get')), 'only system steps are skipped');
  assert.ok(existsSync(join(host('.'), 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')), 'production dependencies installed, the native addon with them');
  // A compile leaves its Makefile; the installed prebuilt binary does not.
  for (const stage of stages.values()) assert.ok(!existsSync(join(stage, 'app', 'node_modules', 'better-sqlite3', 'build', 'Makefile')), 'the addon was not compiled again');
  assert.ok(!existsSync(join(host('.'), 'node_modules', 'typescript')), 'no dev dependencies');
  assert.equal(cmd[0], 'node');

  const dataDir = await tempDir(t, 'meltgen-docker-data-');
  const server = await startServer(t, { ...env, PORT: '0', HOST: '127.0.0.1', MELT_DATA_DIR: dataDir, NODE_ENV: 'production' }, { cmd: process.execPath, args: cmd.slice(1), cwd: host('.') });
  const port = new URL(server.url).port;
  const check = await run('/bin/sh', ['-c', healthcheck], { env: { ...process.env, PORT: port } }).then(
    () => 0,
    (e: { code: number }) => e.code,
  );
  assert.equal(check, 0, 'HEALTHCHECK passes');
  const job = await fetch(`${server.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"days":1,"hostsPerService":1,"seed":1}' });
  assert.equal(job.status, 202);
  const { id } = (await job.json()) as { id: string };
  let status = '';
  for (let i = 0; i < 200 && !['succeeded', 'failed'].includes(status); i++) {
    await new Promise((r) => setTimeout(r, 50));
    status = ((await (await fetch(`${server.url}/v1/jobs/${id}`)).json()) as { status: string }).status;
  }
  assert.equal(status, 'succeeded', 'the image generates datasets (worker threads included)');
});
