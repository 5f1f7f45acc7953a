import { spawn, type ChildProcess } from 'node:child_process';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nodeArgs } from './compiled.ts';

export interface RunningServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** Output so far, for failure messages. */
  output(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Starts a real server process (`src/server.ts`, compiled or through tsx: ./compiled.ts, unless another command is given)
 * on a free port of 127.0.0.1 and waits until it listens. Stopped when the test ends.
 */
export async function startServer(
  t: TestContext,
  env: Record<string, string>,
  command: { cmd: string; args: string[]; cwd: string } = { cmd: process.execPath, args: nodeArgs('src/server.ts'), cwd: ROOT },
): Promise<RunningServer> {
  const child = spawn(command.cmd, command.args, {
    cwd: command.cwd,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${out}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
  const server: RunningServer = {
    url,
    child,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  t.after(() => server.stop('SIGKILL'));
  return server;
}

export type PolledJob = { id: string; status: string; progress: { daysDone: number; daysTotal: number } };

/** Polls a job over HTTP until `until` holds; fails after `ms`. */
export async function pollJob(base: string, id: string, until: (j: PolledJob) => boolean, ms = 120_000): Promise<PolledJob> {
  const deadline = Date.now() + ms;
  for (;;) {
    const job = (await (await fetch(`${base}/v1/jobs/${id}`)).json()) as PolledJob;
    if (until(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} stuck at ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
