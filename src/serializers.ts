// Fastify compiles a response serializer (fast-json-stringify) for every status of every route when
// the app starts: ~1 s of CPU here for this API's hundred-odd response schemas, about 70 % of
// buildApp. This factory compiles each one the first time it is used instead: a server pays a few
// milliseconds on a route's first answer of a status, and a process that builds many apps (the
// tests build one per test) pays only for what it uses.
import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler';

/** fast-json-stringify serializers, each compiled on its first use (same output as Fastify's default). */
export function lazySerializers(): SerializerFactory {
  const build = SerializerSelector();
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    return (route) => {
      let serialize: ((doc: unknown) => string) | undefined;
      return (doc: unknown) => (serialize ??= compile(route))(doc);
    };
  };
}
