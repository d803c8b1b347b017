#!/usr/bin/env node
// Entry point of `npm run traces`; the logic lives in src/trace/command.ts.
import { runMain } from '../src/cli/main.js';
import { tracesCommand } from '../src/trace/command.js';

await runMain('traces', tracesCommand);
