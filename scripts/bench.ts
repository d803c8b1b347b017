#!/usr/bin/env node
// Entry point of `npm run bench`, which runs it compiled (see tsconfig.bench.json); the logic lives in
// src/cli/bench.ts. The same script is started again for each suite, so it passes its own path.
import { fileURLToPath } from 'node:url';
import { bench } from '../src/cli/bench.js';

process.exitCode = await bench(
  process.argv.slice(2),
  { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  { script: fileURLToPath(import.meta.url) },
);
