#!/usr/bin/env tsx
// Entry point of `npm run sim`: replay one simulated scenario with its event log. Logic: src/sim/cli.ts.
import { WorkbenchError } from '../src/errors.js';
import { runSimCli } from '../src/sim/cli.js';

try {
  process.exitCode = runSimCli(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
} catch (error) {
  if (!(error instanceof WorkbenchError)) throw error;
  process.stderr.write(`sim: ${error.format()}\n`);
  process.exitCode = error.exitCode;
}
