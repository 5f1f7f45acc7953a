import { resolve } from 'node:path';

/** Where a command writes: separated so tests can capture it. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Runs a command when its module is the process's entry point (not when a test imports it):
 * the command's resolved code becomes the exit code; an unexpected error is printed, exit 1.
 */
export function runIfMain(moduleUrl: string, name: string, command: (argv: readonly string[], io: CliIo) => Promise<number>): void {
  const entry = process.argv[1];
  if (entry === undefined || moduleUrl !== new URL(`file://${resolve(entry)}`).href) return;
  command(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${name}: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
