import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether a command is installed (it answers `--version`). */
export async function have(cmd: string, versionFlag = '--version'): Promise<boolean> {
  return run(cmd, [versionFlag]).then(
    () => true,
    () => false,
  );
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 2xx, or throws after `timeoutMs`. */
export async function waitUntilUp(url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`${url} did not come up in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The observability platforms the tests (and `npm run bench -- --platforms`) run from Debian's packages. */
export type Platform = 'victoria-metrics' | 'prometheus';

/** A running platform: its base URL, and how to stop it (waited for, then its folder removed). */
export interface RunningPlatform {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts a platform of its own on a free port and in a fresh folder; null when its package is not
 * installed. VictoriaMetrics keeps 100 years; Prometheus has its remote-write receiver and an
 * out-of-order window wide enough for replayed history.
 */
export async function launchPlatform(kind: Platform): Promise<RunningPlatform | null> {
  if (!(await have(kind, kind === 'victoria-metrics' ? '-version' : '--version'))) return null;
  const dir = await mkdtemp(join(tmpdir(), kind === 'victoria-metrics' ? 'meltgen-vm-' : 'meltgen-prom-'));
  const port = await freePort();
  let args: string[];
  if (kind === 'prometheus') {
    const config = join(dir, 'prometheus.yml');
    // Replayed history is older than anything the head has seen: accepted within the out-of-order window.
    await writeFile(config, 'global:\n  scrape_interval: 1h\nstorage:\n  tsdb:\n    out_of_order_time_window: 10y\n');
    args = [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, '--storage.tsdb.retention.time=100y', '--web.enable-remote-write-receiver', `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'];
  } else {
    args = [`-storageDataPath=${dir}`, '-retentionPeriod=100y', `-httpListenAddr=127.0.0.1:${port}`, '-loggerLevel=ERROR'];
  }
  const child = spawn(kind, args, { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${url}${kind === 'prometheus' ? '/-/ready' : '/health'}`);
  return {
    url,
    // Waited for before the folder is removed: a server still writing makes rmdir fail.
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A platform for one test, stopped when it ends; null (the test skipped) when not installed outside CI. */
async function platformForTest(kind: Platform, t: { after: (fn: () => unknown) => void; skip: (m: string) => void }): Promise<string | null> {
  const p = await launchPlatform(kind);
  if (p === null) {
    if (process.env.CI) throw new Error(`${kind} must be installed in CI (apt-get install ${kind})`);
    t.skip(`Debian package ${kind} is not installed`);
    return null;
  }
  t.after(() => p.stop());
  return p.url;
}

/** A VictoriaMetrics of the test's own (Debian's `victoria-metrics`, 1.79); null when skipped. */
export function startVictoriaMetrics(t: { after: (fn: () => unknown) => void; skip: (m: string) => void }): Promise<string | null> {
  return platformForTest('victoria-metrics', t);
}

/** A Prometheus of the test's own (Debian's `prometheus`, 2.42) with its remote-write receiver; null when skipped. */
export function startPrometheus(t: { after: (fn: () => unknown) => void; skip: (m: string) => void }): Promise<string | null> {
  return platformForTest('prometheus', t);
}

/** A local HTTP destination that takes every request (204), closed when the test ends: its port. */
export async function acceptingDestination(t: { after: (fn: () => unknown) => void }): Promise<number> {
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  return (server.address() as { port: number }).port;
}

/** An instant PromQL query's result vector. */
export async function promql(base: string, query: string, time: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}&time=${encodeURIComponent(time)}`);
  const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`PromQL ${query}: ${JSON.stringify(body)}`);
  return body.data.result;
}
