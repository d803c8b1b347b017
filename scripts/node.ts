#!/usr/bin/env node
// Entry point of `npm run node`: one Raft KV node as a process. Logic: src/node/runtime.ts, src/cli/node.ts.
import { runMain } from '../src/cli/main.js';
import { nodeCommand } from '../src/cli/node.js';

await runMain('node', nodeCommand);
