#!/usr/bin/env node
// Entry point of `npm run sim`: replay one simulated scenario with its event log. Logic: src/cli/sim.ts.
import { runMain } from '../src/cli/main.js';
import { runSimCli } from '../src/cli/sim.js';

// One scenario runs in well under a second without yielding: Ctrl-C keeps Node's default (end at once).
await runMain('sim', (argv, io) => runSimCli(argv, io.stdout, io.stderr, { cwd: io.cwd }), { handlesSignals: false });
