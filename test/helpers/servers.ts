import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
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

/**
 * A VictoriaMetrics of its own on a free port and in a fresh folder (Debian's `victoria-metrics`),
 * stopped, then its folder removed, when the test ends; null (the test skipped) when it is not installed outside CI.
 */
export async function startVictoriaMetrics(t: { after: (fn: () => unknown) => void; skip: (m: string) => void }): Promise<string | null> {
  if (!(await have('victoria-metrics', '-version'))) {
    if (process.env.CI) throw new Error('victoria-metrics must be installed in CI (apt-get install victoria-metrics)');
    t.skip('Debian package victoria-metrics is not installed');
    return null;
  }
  const { spawn } = await import('node:child_process');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dataDir = await mkdtemp(join(tmpdir(), 'meltgen-vm-'));
  const port = await freePort();
  const vm = spawn('victoria-metrics', [`-storageDataPath=${dataDir}`, '-retentionPeriod=100y', `-httpListenAddr=127.0.0.1:${port}`, '-loggerLevel=ERROR'], { stdio: 'ignore' });
  // Waited for, so a later cleanup of its data folder does not race its last writes.
  t.after(async () => {
    if (vm.exitCode === null) {
      vm.kill('SIGTERM');
      await new Promise((r) => vm.once('exit', r));
    }
    await rm(dataDir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${base}/health`);
  return base;
}

/**
 * A Prometheus of its own (Debian's `prometheus`, 2.42) on a free port and in a fresh folder, with
 * its remote-write receiver and an out-of-order window wide enough for replayed history; stopped
 * and waited for, then its folder removed, when the test ends; null (the test skipped) when it is
 * not installed outside CI.
 */
export async function startPrometheus(t: { after: (fn: () => unknown) => void; skip: (m: string) => void }): Promise<string | null> {
  if (!(await have('prometheus'))) {
    if (process.env.CI) throw new Error('prometheus must be installed in CI (apt-get install prometheus)');
    t.skip('Debian package prometheus is not installed');
    return null;
  }
  const { spawn } = await import('node:child_process');
  const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const tsdb = await mkdtemp(join(tmpdir(), 'meltgen-prom-'));
  const port = await freePort();
  const config = join(tsdb, 'prometheus.yml');
  // Replayed history is older than anything the head has seen: accepted within the out-of-order window.
  await writeFile(config, 'global:\n  scrape_interval: 1h\nstorage:\n  tsdb:\n    out_of_order_time_window: 10y\n');
  const prom = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${join(tsdb, 'data')}`, '--storage.tsdb.retention.time=100y', '--web.enable-remote-write-receiver', `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: 'ignore' },
  );
  // Stopped and waited for before its folder is removed (a Prometheus still writing makes rmdir fail).
  t.after(async () => {
    if (prom.exitCode === null) {
      prom.kill('SIGTERM');
      await once(prom, 'exit');
    }
    await rm(tsdb, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${base}/-/ready`);
  return base;
}

/** An instant PromQL query's result vector. */
export async function promql(base: string, query: string, time: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}&time=${encodeURIComponent(time)}`);
  const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`PromQL ${query}: ${JSON.stringify(body)}`);
  return body.data.result;
}
