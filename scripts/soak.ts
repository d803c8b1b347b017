#!/usr/bin/env tsx
// Entry point of `npm run soak`: a long seeded simulation run. Logic: src/sim/soak.ts.
import { WorkbenchError } from '../src/errors.js';
import { runSoakCli } from '../src/sim/soak.js';

try {
  process.exitCode = runSoakCli(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
} catch (error) {
  if (!(error instanceof WorkbenchError)) throw error;
  process.stderr.write(`soak: ${error.format()}\n`);
  process.exitCode = error.exitCode;
}
