import { readFileSync } from 'node:fs';

/** The package version: part of every job's key, since another version may write other bytes. */
export const GENERATOR_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
