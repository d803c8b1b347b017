#!/usr/bin/env node
// Entry point of `npm run kv`: one put, get or cas against a running cluster. Logic: src/cli/kv.ts.
import { runMain } from '../src/cli/main.js';
import { kvCommand } from '../src/cli/kv.js';

await runMain('kv', kvCommand);
