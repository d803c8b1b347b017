#!/usr/bin/env tsx
// Entry point of `npm run docs`; the logic lives in src/cli/docs.ts and src/docs/.
import { docs } from '../src/cli/docs.js';

process.exitCode = await docs(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
});
