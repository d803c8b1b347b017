#!/usr/bin/env tsx
// Entry point of `npm run traces`; the logic lives in src/trace/command.ts.
import { tracesCommand } from '../src/trace/command.js';

const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());

process.exitCode = await tracesCommand(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  signal: interrupt.signal,
});
