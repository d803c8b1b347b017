#!/usr/bin/env node
// Regenerates the histories of bench/lin/corpus.json from their seeds and writes their fingerprints back
// into it (after a deliberate change to src/bench/lin-corpus.ts). With `--out <folder>`, also writes each
// history there as <name>.json. Run: node --import tsx bench/lin/generate.ts [--out <folder>]
import { refreshLinCorpus } from '../../src/bench/lin.js';

const at = process.argv.indexOf('--out');
for (const line of await refreshLinCorpus(undefined, at > 0 ? process.argv[at + 1] : undefined)) console.log(line);
