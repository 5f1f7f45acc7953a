// Entry of a generation worker thread. Node 20 loads a worker's entry module before the hooks of
// `--import tsx` apply in that thread, so this plain-JS file registers tsx first, then loads the
// TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./generate-worker.ts');
