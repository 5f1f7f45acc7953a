import type { ProblemCode } from '../plugins/errors.ts';
import examples from './examples.json' with { type: 'json' };

/** One named example of an OpenAPI media type. */
export interface NamedExample {
  readonly summary: string;
  readonly value: unknown;
}

/**
 * The examples of the OpenAPI document, recorded from a real server by `npm run examples`
 * (scripts/examples.ts) and committed as examples.json: requests by operationId, responses by
 * "operationId status", problem documents by code. A test validates each against its schema.
 */
export interface ExampleSet {
  readonly requests: Readonly<Record<string, Readonly<Record<string, NamedExample>>>>;
  readonly responses: Readonly<Record<string, Readonly<Record<string, NamedExample>>>>;
  readonly problems: Readonly<Partial<Record<ProblemCode, unknown>>>;
}

export const EXAMPLES: ExampleSet = examples as ExampleSet;
