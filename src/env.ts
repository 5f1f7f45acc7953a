import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

/** The service's settings, from environment variables; checked once, at start. */
export const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'TCP port to listen on.' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Address to listen on; 0.0.0.0 for every interface (the Docker image sets it).' }),
  MELT_DATA_DIR: Type.String({ minLength: 1, default: './data', description: 'Where the job database and the datasets live.' }),
  MELT_MAX_CONCURRENT_JOBS: Type.Integer({ minimum: 1, maximum: 64, default: 1, description: 'Jobs generated at the same time; the rest wait in order.' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
});

export type ServiceEnv = Static<typeof EnvSchema>;

/** Thrown at start when a variable is invalid; the message names each one. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
}

/** Reads the settings from `env`, filling defaults; throws EnvError naming every bad variable. */
export function loadEnv(env: Record<string, string | undefined>): ServiceEnv {
  const known = Object.keys(EnvSchema.properties);
  const picked: Record<string, unknown> = {};
  for (const k of known) if (env[k] !== undefined && env[k] !== '') picked[k] = env[k];
  // Convert may change its argument in place; keep the raw text for the messages.
  const value = Value.Default(EnvSchema, Value.Convert(EnvSchema, { ...picked }));
  const errors = [...Value.Errors(EnvSchema, value)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.instancePath.slice(1) || '(env)'}=${JSON.stringify(picked[e.instancePath.slice(1)] ?? '')}: ${e.message}`);
    throw new EnvError(`invalid environment: ${lines.join('; ')}`);
  }
  return value as ServiceEnv;
}
