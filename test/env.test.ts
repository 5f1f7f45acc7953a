import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvError, loadApiKeys, loadEnv } from '../src/env.ts';
import { limitsFromEnv } from '../src/limits.ts';
import { tempDir } from './helpers/dataset.ts';

test('defaults when nothing is set', () => {
  const env = loadEnv({});
  assert.deepEqual(
    { PORT: env.PORT, HOST: env.HOST, MELT_DATA_DIR: env.MELT_DATA_DIR, MELT_MAX_CONCURRENT_JOBS: env.MELT_MAX_CONCURRENT_JOBS, LOG_LEVEL: env.LOG_LEVEL },
    { PORT: 3000, HOST: '127.0.0.1', MELT_DATA_DIR: './data', MELT_MAX_CONCURRENT_JOBS: 1, LOG_LEVEL: 'info' },
  );
  const limits = limitsFromEnv(env);
  assert.equal(limits.retentionMs, 7 * 24 * 3_600_000, 'datasets kept 7 days');
  assert.equal(limits.bodyLimitBytes, 1024 * 1024);
  assert.deepEqual(loadApiKeys(env), [], 'no keys: the server runs open');
});

test('values are read and converted', () => {
  const env = loadEnv({ PORT: '8080', HOST: '0.0.0.0', MELT_DATA_DIR: '/data', MELT_MAX_CONCURRENT_JOBS: '2', LOG_LEVEL: 'warn', MELT_RETENTION_HOURS: '0.5', UNRELATED: 'x' });
  assert.deepEqual([env.PORT, env.HOST, env.MELT_DATA_DIR, env.MELT_MAX_CONCURRENT_JOBS, env.LOG_LEVEL], [8080, '0.0.0.0', '/data', 2, 'warn']);
  assert.equal(limitsFromEnv(env).retentionMs, 1_800_000);
});

test('API keys from the variable and from a file; bare keys are named after their hash', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'keys');
  await writeFile(file, '# team keys\nteam-b bbbbbbbbbbbbbbbbbbbbbbbb\n\ncccccccccccccccccccccccc\n');
  const keys = loadApiKeys(loadEnv({ MELT_API_KEYS: 'team-a:aaaaaaaaaaaaaaaaaaaaaaaa', MELT_API_KEYS_FILE: file }));
  assert.deepEqual(keys.map((k) => k.name).slice(0, 2), ['team-a', 'team-b']);
  assert.match(keys[2]?.name as string, /^key-[0-9a-f]{8}$/);
  assert.doesNotMatch(keys[2]?.name as string, /c{8}/, 'the name does not reveal the key');
  assert.throws(() => loadApiKeys(loadEnv({ MELT_API_KEYS: 'short' })), /at least 16 characters/);
  assert.throws(() => loadApiKeys(loadEnv({ MELT_API_KEYS_FILE: join(dir, 'missing') })), /cannot read/);
});

test('every bad variable is named', () => {
  assert.throws(
    () => loadEnv({ PORT: 'eighty', MELT_MAX_CONCURRENT_JOBS: '0', LOG_LEVEL: 'loud' }),
    (e: unknown) => e instanceof EnvError && /PORT="eighty"/.test(e.message) && /MELT_MAX_CONCURRENT_JOBS="0"/.test(e.message) && /LOG_LEVEL="loud"/.test(e.message),
  );
});

test('MELT_SINK_ALLOWLIST: empty by default, patterns checked at start', () => {
  assert.equal(loadEnv({}).MELT_SINK_ALLOWLIST, '');
  assert.equal(loadEnv({ MELT_SINK_ALLOWLIST: 'vm.internal:8428,*.example.com:443' }).MELT_SINK_ALLOWLIST, 'vm.internal:8428,*.example.com:443');
  assert.throws(() => loadEnv({ MELT_SINK_ALLOWLIST: 'vm.internal' }), (e: unknown) => e instanceof EnvError && /MELT_SINK_ALLOWLIST: "vm.internal" is not host:port/.test(e.message));
});
