// A worker does not inherit the main thread's TypeScript loader: register it, then run the worker.
import { register } from 'tsx/esm/api';

register();
const { runDeriveWorker } = await import('./derive-worker.ts');
runDeriveWorker();
