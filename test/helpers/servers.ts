import { execFile } from 'node:child_process';
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
