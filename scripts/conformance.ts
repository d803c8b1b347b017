#!/usr/bin/env tsx
// Entry point of `npm run conformance`; the logic lives in src/conformance/command.ts.
import { conformanceCommand } from '../src/conformance/command.js';

process.exitCode = await conformanceCommand(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
});
