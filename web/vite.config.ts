// Builds the web console (web/) into dist/web, which the server serves at / (src/routes/home.ts).
// Part of `npm run build`, so `npm ci` (prepare) builds it like dist/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Readable stack traces in the browser's tools for a console that ships no source elsewhere.
    sourcemap: true,
    target: 'es2022',
    rolldownOptions: {
      // Fixed names: the page the server fills in (and its OpenAPI example) names them; the server
      // sends them with `no-cache`, so browsers revalidate instead of needing a new name per build.
      output: { entryFileNames: 'assets/console.js', chunkFileNames: 'assets/[name].js', assetFileNames: 'assets/[name][extname]' },
    },
  },
});
