#!/usr/bin/env node
// Entry point of `npm run conformance:graph` (and `conformance:large`); the logic lives in src/cli/conformance-graph.ts.
import { conformanceGraphCommand } from '../src/cli/conformance-graph.js';
import { runMain } from '../src/cli/main.js';

await runMain('conformance:graph', conformanceGraphCommand);
