// Entry of a push thread when running from the TypeScript sources (tests, `npm run dev`): Node 20
// does not apply `--import tsx` to a worker's entry, so this registers tsx first.
import { register } from 'tsx/esm/api';

register();
await import('./push-worker.ts');
