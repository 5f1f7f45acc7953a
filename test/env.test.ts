import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EnvError, loadEnv } from '../src/env.ts';

test('defaults when nothing is set', () => {
  assert.deepEqual(loadEnv({}), { PORT: 3000, HOST: '127.0.0.1', MELT_DATA_DIR: './data', MELT_MAX_CONCURRENT_JOBS: 1, LOG_LEVEL: 'info' });
});

test('values are read and converted', () => {
  const env = loadEnv({ PORT: '8080', HOST: '0.0.0.0', MELT_DATA_DIR: '/data', MELT_MAX_CONCURRENT_JOBS: '2', LOG_LEVEL: 'warn', UNRELATED: 'x' });
  assert.deepEqual(env, { PORT: 8080, HOST: '0.0.0.0', MELT_DATA_DIR: '/data', MELT_MAX_CONCURRENT_JOBS: 2, LOG_LEVEL: 'warn' });
});

test('every bad variable is named', () => {
  assert.throws(
    () => loadEnv({ PORT: 'eighty', MELT_MAX_CONCURRENT_JOBS: '0', LOG_LEVEL: 'loud' }),
    (e: unknown) => e instanceof EnvError && /PORT="eighty"/.test(e.message) && /MELT_MAX_CONCURRENT_JOBS="0"/.test(e.message) && /LOG_LEVEL="loud"/.test(e.message),
  );
});
