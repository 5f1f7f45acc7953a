// The project's one door to TypeBox. `npm run build` bundles this module with esbuild into
// dist/typebox.js: TypeBox ships ~680 small ES modules, and loading them one by one took
// ~370 ms of every compiled process's start (the CLI, the server, a cluster worker) on the
// 2-core machines here; the single bundled file loads in ~35 ms. From the sources (tsx, tests)
// it is a plain re-export of the package. Schemas are plain objects, so they work with the
// package's own copy too (the Fastify type provider's validator compiler uses that one).
export { Type } from 'typebox';
export type { Static, TSchema } from 'typebox';
export { Settings } from 'typebox/system';
export { Value } from 'typebox/value';
