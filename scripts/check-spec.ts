#!/usr/bin/env tsx
// Entry point of `npm run check-spec`; the logic lives in src/cli/check-spec.ts.
import { checkSpec } from '../src/cli/check-spec.js';

const interrupt = new AbortController();
// Stop the running TLC (a JVM child would otherwise outlive us) on Ctrl-C or a polite kill.
process.once('SIGINT', () => interrupt.abort());
process.once('SIGTERM', () => interrupt.abort());

const code = await checkSpec(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
  env: process.env,
  cwd: process.cwd(),
  signal: interrupt.signal,
});
process.exitCode = code;
