// Entry of a push thread. Its priority is lowered before anything else loads: compiling the
// modules behind a replay or a stream takes a few hundred milliseconds of CPU, which at normal
// priority competed with the event loop answering API requests (a p99 of 150 ms while a stream
// started, on 2 cores).
import { lowerThreadPriority } from './thread-priority.ts';

lowerThreadPriority();
await import('./push-run.ts');
