/**
 * `npm run ring`: how a consistent-hashing ring of your size spreads your number of keys, and how many
 * move when a node joins or leaves.
 *
 * @module
 */
import { ExitCode, WorkbenchError } from '../errors.js';
import { JsonSyntaxError, parseJson, readTextFile } from '../files/read.js';
import {
  type Balance,
  type Ring,
  type RingLayout,
  balanceOf,
  joinLayout,
  keyCounts,
  keyMovement,
  keyPositions,
  layoutOf,
  movedShare,
  parseLayout,
  ringOfLayout,
  stepRing,
} from '../ring/index.js';
import { commandLine, runCommand } from './args.js';
import type { Command } from './main.js';
import { formatCount, renderTable } from './format.js';

const HELP = `Usage: npm run ring -- [--nodes N] [--vnodes V] [--keys K] [--join NAME | --leave NAME] [--json]

Builds a consistent-hashing ring (src/ring: MurmurHash3 positions, V vnodes per node) and reports how
evenly it spreads K keys ("key-0" ... "key-<K-1>") over the nodes; with --join or --leave, also how
many keys the change moves, against the ideal 1/(N+1) or 1/N, and whether every moved key moved to the
joining node (or from the leaving one), as consistent hashing promises.

Options:
  --nodes <n>       nodes, named node-1 ... node-<n> (default 10)
  --vnodes <v>      vnodes per node (default 100)
  --keys <k>        keys to place (default 1000000)
  --layout <file>   a ring layout (JSON: {"format": "hash-ring/1", "hash": "murmur3-x86-32",
                    "vnodes": V, "members": [{"node": "a", "weight": 1}, ...]}) instead of
                    --nodes and --vnodes; a member of weight 2 holds twice the vnodes
  --join <name>     a node joins (with weight 1)
  --leave <name>    a member leaves
  --json            print the figures as JSON
  -h, --help        this help

Output: per node, its keys and its share against the mean; imbalance = the fullest node over the
mean (1.00 is perfect). Exit codes: 0 done, 2 usage error, 4 a --layout file that cannot be used.`;

const cli = commandLine('ring');

function positiveInt(name: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw cli.usage(`--${name} must be an integer in 1..${formatCount(max)}, not "${raw}".`);
  return n;
}

/** What `npm run ring` measured. */
export interface RingReport {
  readonly layout: RingLayout;
  readonly keys: number;
  readonly perNode: Readonly<Record<string, number>>;
  readonly balance: Balance;
  readonly change?: {
    readonly kind: 'join' | 'leave';
    readonly node: string;
    readonly movedKeys: number;
    readonly movedFraction: number;
    /** 1/(n+1) for a join of the (n+1)-th node, 1/n for a leave from n. */
    readonly idealFraction: number;
    /** The share of the ring's positions whose owner changed (what a uniform hash would move). */
    readonly movedShare: number;
    /** Moved ranges of positions. */
    readonly ranges: number;
    /** Moved keys that did not move to the joiner (from the leaver): 0 for a consistent hash. */
    readonly misplaced: number;
    readonly balanceAfter: Balance;
  };
}

async function readLayout(file: string): Promise<RingLayout> {
  const text = await readTextFile(file, { maxBytes: 16 * 1024 * 1024, what: 'ring layout' });
  try {
    return parseLayout(parseJson(text));
  } catch (error) {
    if (error instanceof JsonSyntaxError || error instanceof RangeError) {
      throw new WorkbenchError(`Ring layout ${file}: ${error.message}.`, ExitCode.SPEC_ERROR, 'See npm run ring -- --help for the layout format.');
    }
    throw error;
  }
}

function measureChange(ring: Ring, layout: RingLayout, positions: Uint32Array, kind: 'join' | 'leave', node: string): NonNullable<RingReport['change']> {
  const step = kind === 'join' ? joinLayout(ring, layout, node) : stepRing(ring, { type: 'Leave', node });
  if (step.refused !== undefined) throw cli.usage(`Cannot ${kind} ${node}: ${step.refused}.`);
  const { moved, misplaced } = keyMovement(ring, step.ring, positions, node, kind);
  const n = ring.members.length;
  return {
    kind,
    node,
    movedKeys: moved,
    movedFraction: moved / positions.length,
    idealFraction: kind === 'join' ? 1 / (n + 1) : 1 / n,
    movedShare: movedShare(step.moved),
    ranges: step.moved.length,
    misplaced,
    balanceAfter: balanceOf(keyCounts(step.ring, positions).values()),
  };
}

/** Measures the ring the command line describes. */
export async function measureRing(argv: readonly string[]): Promise<{ readonly report: RingReport; readonly json: boolean } | 'help'> {
  const { values } = cli.parse(argv, {
    options: {
      nodes: { type: 'string', default: '10' },
      vnodes: { type: 'string', default: '100' },
      keys: { type: 'string', default: '1000000' },
      layout: { type: 'string' },
      join: { type: 'string' },
      leave: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (values.join !== undefined && values.leave !== undefined) throw cli.usage('Give --join or --leave, not both.');
  const keyCount = positiveInt('keys', values.keys, 50_000_000);
  const layout =
    values.layout !== undefined
      ? await readLayout(values.layout)
      : layoutOf(
          Array.from({ length: positiveInt('nodes', values.nodes, 10_000) }, (_, i) => `node-${i + 1}`),
          positiveInt('vnodes', values.vnodes, 10_000),
        );
  if (layout.members.length === 0) throw cli.usage('The ring has no members: give --nodes or a layout with members.');
  const ring = ringOfLayout(layout);
  // Each key is hashed once, then placed on the ring before and after a change.
  const positions = keyPositions(Array.from({ length: keyCount }, (_, i) => `key-${i}`));
  const counts = keyCounts(ring, positions);
  const change =
    values.join !== undefined ? measureChange(ring, layout, positions, 'join', values.join) : values.leave !== undefined ? measureChange(ring, layout, positions, 'leave', values.leave) : undefined;
  const report = { layout, keys: keyCount, perNode: Object.fromEntries(counts), balance: balanceOf(counts.values()), ...(change === undefined ? {} : { change }) };
  return { report, json: values.json };
}

const pct = (x: number, digits = 2) => `${(100 * x).toFixed(digits)} %`;

/** The report as text. */
export function renderRingReport(report: RingReport): string {
  const { balance } = report;
  const rows = Object.entries(report.perNode)
    .sort((a, b) => b[1] - a[1])
    .map(([node, keys]) => [node, formatCount(keys), (keys / balance.mean).toFixed(3)]);
  const shown = rows.length > 12 ? [...rows.slice(0, 6), ['...', '', ''], ...rows.slice(-6)] : rows;
  const lines = [
    `${report.layout.members.length} nodes, ${report.layout.vnodes} vnodes per unit of weight, ${formatCount(report.keys)} keys (${report.layout.hash})`,
    renderTable(['node', 'keys', 'vs mean'], shown, new Set([1, 2])),
    `imbalance (fullest / mean) ${balance.imbalance.toFixed(3)}; emptiest / mean ${(balance.min / balance.mean).toFixed(3)}; spread (sd / mean) ${pct(balance.relativeSpread, 1)}`,
  ];
  const c = report.change;
  if (c !== undefined) {
    const direction = c.kind === 'join' ? `to ${c.node}` : `from ${c.node}`;
    lines.push(
      '',
      `${c.kind} ${c.node}: ${formatCount(c.movedKeys)} keys moved (${pct(c.movedFraction)}); ideal ${pct(c.idealFraction)} (1/${Math.round(1 / c.idealFraction)}); ratio ${(c.movedFraction / c.idealFraction).toFixed(3)}`,
      `  ${c.ranges} ranges of positions moved, ${pct(c.movedShare)} of the ring; keys that moved other than ${direction}: ${c.misplaced}`,
      `  imbalance after ${c.balanceAfter.imbalance.toFixed(3)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The command. */
export const ringCommand: Command = (argv, io) =>
  runCommand('ring', io.stderr, async () => {
    const measured = await measureRing(argv);
    if (measured === 'help') {
      io.stdout(`${HELP}\n`);
      return ExitCode.OK;
    }
    io.stdout(measured.json ? `${JSON.stringify(measured.report, null, 2)}\n` : renderRingReport(measured.report));
    return ExitCode.OK;
  });
