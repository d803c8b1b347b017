// The entry of one thread of a state-graph check (src/conformance/state-graph-run.ts, checkInThreads):
// plain JavaScript, so that a thread can start whether its parent runs the TypeScript sources (through tsx,
// whose loader a worker thread does not inherit) or the build. It loads tsx's loader when the module it is
// to run is TypeScript, then runs that module (state-graph-worker).
import { workerData } from 'node:worker_threads';

if (workerData.module.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.module);
