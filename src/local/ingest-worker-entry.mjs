// The ingest thread's entry: plain JavaScript that registers tsx in this thread (a worker does not inherit
// the main thread's loader hooks), then loads the TypeScript worker. See ingest-thread.ts.
import { register } from 'tsx/esm/api';

register();
await import('./ingest-worker.ts');
