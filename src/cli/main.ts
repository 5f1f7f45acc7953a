import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

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

/** A number as people type it: 3, -3, 0.5, .5, 5., 1e3, -2.5e-1 (no hex, no Infinity). */
export const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * `--days -3` as `--days=-3`: node:util's parseArgs takes a value that starts with a dash for an
 * option of its own and refuses it as ambiguous, so a negative number would get a parser message
 * instead of the range error. Only after the options that take a value (`type: 'string'` in the
 * parseArgs `options` given) and only a number: `--quiet -3` or a lone `-3` still fail as unknown.
 */
export function joinNegativeNumbers(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const takesValue = new Set(Object.keys(options).filter((o) => options[o]?.type === 'string').map((o) => `--${o}`));
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (takesValue.has(arg) && next !== undefined && next.startsWith('-') && NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/**
 * Parses a command's options (strict, negative numbers joined): the parsed values, or the exit
 * code when there is nothing more to do — 0 after printing `help` for --help, 2 after printing the
 * parser's message and `help` for a bad option.
 */
export function parseCommand<const O extends NonNullable<ParseArgsConfig['options']>, const P extends boolean>(
  argv: readonly string[],
  options: O,
  help: string,
  io: CliIo,
  allowPositionals: P,
) {
  let args;
  try {
    args = parseArgs({ args: joinNegativeNumbers(argv, options), allowPositionals, strict: true, options });
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n\n${help}`);
    return 2;
  }
  if ((args.values as { help?: boolean }).help === true) {
    io.stdout.write(help);
    return 0;
  }
  return args;
}

/** A usage error: its message on stderr, exit code 2. */
export function usageError(io: CliIo, message: string): number {
  io.stderr.write(`${message}\n`);
  return 2;
}
