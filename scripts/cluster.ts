#!/usr/bin/env node
// Entry point of `npm run cluster`: a local Raft KV cluster, one process per node. Logic: src/cli/cluster.ts.
import { runMain } from '../src/cli/main.js';
import { clusterCommand } from '../src/cli/cluster.js';

await runMain('cluster', clusterCommand);
