import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from '../env.ts';
import { AppError } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Name of the API key that made the request; empty when the server runs open. */
    owner: string;
  }
}

export interface AuthPluginOptions {
  readonly keys: readonly ApiKey[];
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * API keys: with keys configured, every /v1 route needs `Authorization: Bearer <key>`, and the key's
 * name becomes the request's owner. Keys are compared as sha256 digests with timingSafeEqual,
 * against every configured key without stopping early, and never logged.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: AuthPluginOptions) => {
    app.decorateRequest('owner', '');
    if (opts.keys.length === 0) {
      app.log.warn('no API keys configured (MELT_API_KEYS / MELT_API_KEYS_FILE): the server runs open, every client sees every job');
      return;
    }
    const keys = opts.keys.map((k) => ({ name: k.name, digest: digest(k.key) }));
    app.addHook('onRequest', async (request, reply) => {
      // The matched route, not the raw URL: an encoded path cannot slip past the check.
      if (!(request.routeOptions.url ?? '').startsWith('/v1')) return;
      const header = request.headers.authorization;
      const token = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header)?.[1] : undefined;
      let owner: string | null = null;
      if (token) {
        const d = digest(token);
        for (const k of keys) if (timingSafeEqual(d, k.digest) && owner === null) owner = k.name;
      }
      if (owner === null) {
        reply.header('www-authenticate', 'Bearer realm="meltgen"');
        throw new AppError(401, 'UNAUTHORIZED', token ? 'The API key is not valid.' : 'An API key is required: Authorization: Bearer <key>.');
      }
      request.owner = owner;
    });
  },
  { name: 'auth' },
);
