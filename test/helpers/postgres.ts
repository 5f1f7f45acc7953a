import pg from 'pg';

/** The machine's PostgreSQL (trust auth), or MELT_TEST_POSTGRES_URL. */
const ADMIN_URL = process.env.MELT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A database of the test's own on the machine's PostgreSQL, dropped when the test ends; null (the
 * test skipped, saying why) when PostgreSQL is not reachable, except in CI, where it must be.
 */
export async function privateDatabase(t: { after: (fn: () => unknown) => void; skip: (m: string) => void }): Promise<string | null> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (e) {
    const why = `PostgreSQL is not reachable at ${ADMIN_URL.replace(/\/\/[^@]*@/, '//')}: ${(e as Error).message}`;
    if (process.env.CI) throw new Error(`${why} (CI runs these tests against the machine's PostgreSQL)`);
    t.skip(why);
    return null;
  }
  const name = `meltgen_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  t.after(async () => {
    const drop = new pg.Client({ connectionString: ADMIN_URL });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await drop.end();
  });
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
