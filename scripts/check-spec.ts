#!/usr/bin/env node
// Entry point of `npm run check-spec`; the logic lives in src/cli/check-spec.ts.
import { checkSpec } from '../src/cli/check-spec.js';
import { runMain } from '../src/cli/main.js';

await runMain('check-spec', checkSpec);
