#!/usr/bin/env node
// Entry point of `npm run docs`; the logic lives in src/cli/docs.ts and src/docs/.
import { docs } from '../src/cli/docs.js';
import { runMain } from '../src/cli/main.js';

await runMain('docs', docs);
