#!/usr/bin/env node
// Entry point of `npm run kv-sim`; the logic lives in src/cli/kv-sim.ts.
import { runMain } from '../src/cli/main.js';
import { kvSimCommandLine } from '../src/cli/kv-sim.js';

// One short simulation without yielding: Ctrl-C keeps Node's default (end at once).
await runMain('kv-sim', kvSimCommandLine, { handlesSignals: false });
