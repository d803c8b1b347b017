#!/usr/bin/env node
// Entry point of `npm run bench`, which runs it compiled (see tsconfig.bench.json); the logic lives in
// src/cli/bench.ts. The same script is started again for each suite, so it passes its own path.
import { fileURLToPath } from 'node:url';
import { bench, WORKER_ENV } from '../src/cli/bench.js';
import { runMain } from '../src/cli/main.js';

const isWorker = process.env[WORKER_ENV] !== undefined;
if (isWorker) {
  // A suite's worker ends with its parent. (Not on the IPC channel's 'disconnect': listening for it
  // would keep the worker alive after its work is done.)
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && process.exit(130), 1000).unref();
}
// A worker measures without yielding to the event loop: it leaves signals to Node's default and ends at once.
await runMain('bench', (argv, io) => bench(argv, io, { script: fileURLToPath(import.meta.url) }), { handlesSignals: !isWorker });
