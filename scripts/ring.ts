#!/usr/bin/env node
// Entry point of `npm run ring`; the logic lives in src/cli/ring.ts.
import { runMain } from '../src/cli/main.js';
import { ringCommand } from '../src/cli/ring.js';

// A measurement of a few seconds without yielding: Ctrl-C keeps Node's default (end at once).
await runMain('ring', ringCommand, { handlesSignals: false });
