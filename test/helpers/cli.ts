import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import type { CliIo } from '../../src/cli/main.ts';
import { nodeArgs } from './compiled.ts';

const run = promisify(execFile);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs an entry point of src/ in a child process (compiled or through tsx: ./compiled.ts); resolves with its exit code and output. */
export async function runScript(script: string, args: readonly string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...nodeArgs(script), ...args], { encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A stream that keeps what is written to it. */
function capture(isTTY: boolean): Writable & { isTTY: boolean; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { isTTY, text: () => chunks.join('') });
}

/**
 * Runs a command's function in this process (no child, so fast: for the checks that end before
 * any thread starts); resolves with the code it returns and what it wrote.
 */
export async function runInProcess(command: (argv: readonly string[], io: CliIo) => Promise<number>, args: readonly string[], options: { tty?: boolean } = {}): Promise<CliResult> {
  const stdout = capture(options.tty === true);
  const stderr = capture(options.tty === true);
  const code = await command(args, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
