#!/usr/bin/env node
// Entry point of `npm run torture`: a Jepsen-style run of the real cluster. Logic: src/cli/torture.ts.
import { runMain } from '../src/cli/main.js';
import { tortureCommand } from '../src/cli/torture.js';

await runMain('torture', tortureCommand);
