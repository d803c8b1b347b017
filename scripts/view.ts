#!/usr/bin/env node
// Entry point of `npm run view`; the logic lives in src/cli/view.ts.
import { runMain } from '../src/cli/main.js';
import { viewCommand } from '../src/cli/view.js';

// Reads one file and writes a page in well under a second: Ctrl-C keeps Node's default (end at once).
await runMain('view', viewCommand, { handlesSignals: false });
