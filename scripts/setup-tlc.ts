#!/usr/bin/env node
// Runs on `npm ci` / `npm install` (postinstall): checks Java and puts the pinned TLC jar in .cache/tlc/.
// Logic lives in src/cli/setup-tlc.ts. Set WORKBENCH_SKIP_TLC=1 to skip (library-only use).
import { runMain } from '../src/cli/main.js';
import { setupTlc } from '../src/cli/setup-tlc.js';

await runMain('setup-tlc', setupTlc);
