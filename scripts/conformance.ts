#!/usr/bin/env node
// Entry point of `npm run conformance`; the logic lives in src/cli/conformance.ts.
import { conformanceCommand } from '../src/cli/conformance.js';
import { runMain } from '../src/cli/main.js';

await runMain('conformance', conformanceCommand);
