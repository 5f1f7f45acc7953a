// Entry of a cluster render thread when running from the TypeScript sources (see worker-bootstrap.mjs).
import { register } from 'tsx/esm/api';

register();
await import('./render-worker.ts');
