#!/usr/bin/env node
// Entry point of `npm run conformance`; the logic lives in src/conformance/command.ts.
import { conformanceCommand } from '../src/conformance/command.js';
import { runMain } from '../src/cli/main.js';

await runMain('conformance', conformanceCommand);
