#!/usr/bin/env tsx
// Entry point of `npm run sim`: replay one simulated scenario with its event log. Logic: src/sim/cli.ts.
import { runCommand } from '../src/cli/args.js';
import { runSimCli } from '../src/sim/cli.js';

process.exitCode = await runCommand('sim', (s) => process.stderr.write(s), () =>
  runSimCli(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s)),
);
