#!/usr/bin/env node
// Entry point of `npm run validate-trace`; the logic lives in src/cli/validate-trace.ts.
import { runMain } from '../src/cli/main.js';
import { validateTraceCommand } from '../src/cli/validate-trace.js';

await runMain('validate-trace', validateTraceCommand);
