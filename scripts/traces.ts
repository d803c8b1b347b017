#!/usr/bin/env node
// Entry point of `npm run traces`; the logic lives in src/cli/traces.ts.
import { runMain } from '../src/cli/main.js';
import { tracesCommand } from '../src/cli/traces.js';

await runMain('traces', tracesCommand);
