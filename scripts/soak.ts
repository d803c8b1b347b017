#!/usr/bin/env tsx
// Entry point of `npm run soak`: a long seeded simulation run. Logic: src/sim/soak.ts.
import { runCommand } from '../src/cli/args.js';
import { runSoakCli } from '../src/sim/soak.js';

process.exitCode = await runCommand('soak', (s) => process.stderr.write(s), () =>
  runSoakCli(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s)),
);
