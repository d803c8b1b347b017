#!/usr/bin/env node
// Entry point of `npm run soak`: a long seeded simulation run. Logic: src/cli/soak.ts.
import { runMain } from '../src/cli/main.js';
import { runSoakCli } from '../src/cli/soak.js';

await runMain('soak', (argv, io) => runSoakCli(argv, io.stdout, io.stderr, io.signal, io.cwd));
