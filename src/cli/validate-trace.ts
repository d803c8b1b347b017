/**
 * `npm run validate-trace`: TLC checks traces recorded from the implementation (the simulator's
 * `--record`) against the protocol's spec, and says where one is not a behaviour of the spec.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { MAX_INPUT_BYTES, readTextFile } from '../files/read.js';
import { REPO_ROOT, shownPath } from '../paths.js';
import type { Protocol } from '../protocol/protocol.js';
import { PROTOCOLS, selectProtocols } from '../protocol/registry.js';
import { type TlaValue, canonicalize, printTla, tlaEquals } from '../tla/value.js';
import { type TlcToolchain, resolveToolchain } from '../tlc/toolchain.js';
import { type ImplTrace, type ImplTraceEvent, MalformedTraceError, parseImplTrace } from '../validate/format.js';
import { DEFAULT_MAX_GAP } from '../validate/module.js';
import { type Verdict, validateTrace } from '../validate/validate.js';
import { writeViewPages } from '../viewer/html.js';
import { globalsByEntries, inputStem } from '../viewer/inputs.js';
import { buildRecordingView } from '../viewer/recording-view.js';
import { commandLine, runCommand } from './args.js';
import { formatActionLabel, formatCount, formatElapsed } from './format.js';
import type { CommandIo } from './main.js';

const HELP = `Usage: npm run validate-trace -- <trace.ndjson ...> [options]

Checks traces recorded from the implementation (\`npm run sim -- --seed 7 --record t.ndjson\`) with
TLC against the protocol's spec: TLC looks for a behaviour of the spec that takes exactly the logged
steps, with the logged parameters, messages and variables. The trace is handed to TLC as a generated
TLA+ module. A trace that is not a behaviour of the spec is reported at the first event no behaviour
explains, with the steps the spec could take there and the variables that differ.

Options:
  --protocol <name>   the protocol the traces must be of (default: the one each header names):
                      ${PROTOCOLS.filter((p) => p.validation !== undefined).map((p) => p.name).join(', ')}
  --max-gap <n>       steps TLC may take between two events for actions the header lists as
                      unlogged (default ${DEFAULT_MAX_GAP}); more explains sparser logs but explores more
  --context <n>       events shown before a rejected one (default 3)
  --timeout <s>       stop TLC after this many seconds per trace (default: none)
  --keep <dir>        keep the generated TLA+ module and config of each trace in this folder
  --json              print the verdicts as JSON
  --quiet             no progress on stderr
  -V, --version       the workbench and TLC versions
  -h, --help          this help

Exit codes: 0 every trace is valid; 1 a trace was rejected; 2 usage; 3 Java or the TLC jar missing;
4 a trace file that is missing, not NDJSON of this format, or holds a value the spec cannot use;
5 TLC failed; 6 timeout; 130 interrupted.

A rejected trace also gets its viewer page (npm run view), the rejected event flagged and selected:
.cache/view/validate-trace/<trace name>.html, printed as "Page: ..." (in --json, the "page" field).`;

interface Options {
  readonly files: readonly string[];
  readonly protocol: string | null;
  readonly maxGap: number;
  readonly context: number;
  readonly timeoutMs: number | null;
  readonly keep: string | null;
  readonly json: boolean;
  readonly quiet: boolean;
}

const cli = commandLine('validate-trace');

function parseOptions(argv: readonly string[], cwd: string): Options | 'help' {
  const { values: v, positionals } = cli.parse(argv, {
    allowPositionals: true,
    options: {
      protocol: { type: 'string' },
      'max-gap': { type: 'string', default: String(DEFAULT_MAX_GAP) },
      context: { type: 'string', default: '3' },
      timeout: { type: 'string' },
      keep: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) return 'help';
  if (positionals.length === 0) throw cli.usage('Name at least one trace file (NDJSON, as `npm run sim -- --record <file>` writes).');
  if (v.protocol !== undefined) selectProtocols([v.protocol]);
  return {
    files: positionals.map((f) => resolve(cwd, f)),
    protocol: v.protocol ?? null,
    maxGap: cli.integer('max-gap', v['max-gap'], 0),
    context: cli.integer('context', v.context, 0),
    timeoutMs: v.timeout === undefined ? null : cli.integer('timeout', v.timeout, 1) * 1000,
    keep: v.keep === undefined ? null : resolve(cwd, v.keep),
    json: v.json,
    quiet: v.quiet,
  };
}

/** A label as one line (`Timeout(node: "s1")`), whatever the trace put there. */
function formatLabel(label: TlaValue): string {
  return formatActionLabel(label) ?? printTla(label);
}

function eventLine(e: ImplTraceEvent): string {
  const at = e.atMs === undefined ? '' : `${e.atMs.toFixed(3).padStart(10)} ms  `;
  return `#${e.index} (line ${e.line})  ${at}${formatLabel(e.action)}${e.note === undefined ? '' : `  [${e.note}]`}`;
}

/** The logged variables of the event whose values a spec step's differ from. */
function differingVariables(event: ImplTraceEvent, spec: ReadonlyMap<string, TlaValue>): { name: string; expected: TlaValue; logged: TlaValue }[] {
  const out: { name: string; expected: TlaValue; logged: TlaValue }[] = [];
  for (const [name, logged] of event.vars ?? []) {
    const expected = spec.get(name);
    if (expected === undefined || tlaEquals(canonicalize(expected), canonicalize(logged))) continue;
    out.push({ name, expected, logged });
  }
  return out;
}

/** Where the logged variables of the event and a spec step's differ. */
function differences(event: ImplTraceEvent, spec: ReadonlyMap<string, TlaValue>): string[] {
  return differingVariables(event, spec).map(
    ({ name, expected, logged }) => `${name}[${event.node ?? '?'}]: the spec has ${printTla(expected)}, the implementation logged ${printTla(logged)}`,
  );
}

/** The variables of the rejected event to mark on its page: where the spec's same step (or its state before) differs. */
function flaggedVariables(verdict: Extract<Verdict, { kind: 'rejected' }>): string[] {
  const e = verdict.event;
  const same = verdict.enabled.find((s) => s.vars !== null && tlaEquals(canonicalize(s.label), canonicalize(e.action)));
  const spec = same?.vars ?? verdict.before[0];
  return spec === undefined || spec === null ? [] : differingVariables(e, spec).map((d) => d.name);
}

/**
 * Writes the viewer page of a rejected trace into `dir`, the rejected event flagged and selected, with the
 * story the report tells; `taken` holds the page names already written by this run (two traces of one name).
 */
export async function writeRejectionPage(
  trace: ImplTrace,
  verdict: Extract<Verdict, { kind: 'rejected' }>,
  protocol: Protocol,
  dir: string,
  taken: Set<string>,
): Promise<string> {
  // No events before it: the page's step list shows them.
  const [headline = '', ...story] = formatRejection(trace, verdict, protocol, 0).split('\n');
  const stem = inputStem(trace.file);
  let name = stem;
  for (let n = 2; taken.has(name); n++) name = `${stem}-${n}`;
  taken.add(name);
  const view = buildRecordingView(trace, trace.file, {
    event: verdict.event.index,
    // The headline without the file name, which the page's title already shows.
    title: headline.slice(headline.indexOf('REJECTED')),
    lines: story.map((line) => line.trim()),
    variables: flaggedVariables(verdict),
  }, globalsByEntries(protocol.name));
  const [page] = await writeViewPages([{ name, view }], dir);
  return page as string;
}

/** The story of a rejected trace: where, the events before, and what the spec could do instead. */
export function formatRejection(trace: ImplTrace, verdict: Extract<Verdict, { kind: 'rejected' }>, protocol: Protocol, context: number): string {
  const e = verdict.event;
  const out = [
    `${trace.file}: REJECTED at event ${formatCount(e.index)} of ${formatCount(verdict.events)}: no behaviour of specs/${protocol.validation?.module ?? protocol.spec}.tla explains it`,
  ];
  const before = trace.events.slice(Math.max(0, e.index - 1 - context), e.index - 1);
  if (before.length > 0) out.push('  explained, just before it:', ...before.map((b) => `    ${eventLine(b)}`));
  out.push(`  the event:\n    ${eventLine(e)}`);
  const same = verdict.enabled.filter((s) => tlaEquals(canonicalize(s.label), canonicalize(e.action)));
  if (same.length > 0) {
    const step = same[0] as (typeof same)[number];
    const diffs = step.vars === null ? [] : differences(e, step.vars);
    const sentDiff = e.sent !== undefined && step.sent !== null && !tlaEquals(canonicalize(e.sent), canonicalize(step.sent));
    out.push('  the spec can take this step here, but not to what the implementation logged:');
    for (const d of diffs) out.push(`    ${d}`);
    if (sentDiff) out.push(`    sent: the spec sends ${printTla(step.sent as TlaValue)}, the implementation logged ${printTla(e.sent as TlaValue)}`);
    if (diffs.length === 0 && !sentDiff) out.push('    (the logged variables match one such step; another part of the state differs — see the events before)');
  } else {
    const inFlight = verdict.messageInFlight;
    const why = inFlight.length > 0 && inFlight.every((x) => !x) ? ' (the message it consumes is not in flight in the spec: never sent, or every copy already consumed or lost)' : ' (its guard is false in the spec\'s state)';
    out.push(`  the spec cannot take this step here${why}.`);
    const state = verdict.before[0];
    if (state !== undefined && e.node !== undefined) {
      out.push(`  ${e.node} in the spec, before it:`);
      for (const [name, value] of state) out.push(`    ${name} = ${printTla(value)}`);
      const diffs = e.vars === undefined ? [] : differences(e, state);
      if (diffs.length > 0) out.push('  (logged after the event, for comparison:)', ...diffs.map((d) => `    ${d}`));
    }
  }
  const ofNode = verdict.enabled.filter((s) => s.vars !== null);
  const others = verdict.enabled.length - ofNode.length;
  if (verdict.enabled.length === 0) out.push('  the spec enables no step at all there.');
  else {
    out.push(`  steps the spec enables there${e.node === undefined ? '' : ` for ${e.node}`}:`);
    for (const s of (e.node === undefined ? verdict.enabled : ofNode).slice(0, 12)) out.push(`    ${formatLabel(s.label)}`);
    const shown = Math.min(12, e.node === undefined ? verdict.enabled.length : ofNode.length);
    const rest = (e.node === undefined ? verdict.enabled.length : ofNode.length) - shown + (e.node === undefined ? 0 : others);
    if (rest > 0) out.push(`    ... and ${formatCount(rest)} more${e.node === undefined ? '' : ' (other nodes and the network)'}`);
  }
  return out.join('\n');
}

function verdictJson(trace: ImplTrace, verdict: Verdict): Record<string, unknown> {
  const base = { file: trace.file, protocol: trace.header.protocol, events: verdict.events, distinctStates: verdict.distinctStates, tlcMs: Math.round(verdict.tlcMs) };
  if (verdict.kind === 'valid') return { ...base, verdict: 'valid' };
  const e = verdict.event;
  return {
    ...base,
    verdict: 'rejected',
    event: { index: e.index, line: e.line, ...(e.seq === undefined ? {} : { seq: e.seq }), action: printTla(e.action), ...(e.node === undefined ? {} : { node: e.node }) },
    enabled: verdict.enabled.map((s) => printTla(s.label)),
    specTakesLoggedStep: verdict.enabled.some((s) => tlaEquals(canonicalize(s.label), canonicalize(e.action))),
    differences: verdict.enabled
      .filter((s) => s.vars !== null && tlaEquals(canonicalize(s.label), canonicalize(e.action)))
      .slice(0, 1)
      .flatMap((s) => differences(e, s.vars as ReadonlyMap<string, TlaValue>)),
    diagnosisMs: Math.round(verdict.diagnosisMs),
  };
}

async function loadTrace(file: string, protocolName: string | null): Promise<{ trace: ImplTrace; protocol: Protocol }> {
  const text = await readTextFile(file, { what: 'trace file', maxBytes: MAX_INPUT_BYTES });
  const trace = parseImplTrace(text, file);
  const name = protocolName ?? trace.header.protocol;
  if (protocolName !== null && trace.header.protocol !== protocolName) {
    throw new MalformedTraceError(file, 1, `the trace is of protocol "${trace.header.protocol}", not "${protocolName}" (--protocol)`);
  }
  const protocol = PROTOCOLS.find((p) => p.name === name);
  if (protocol === undefined) throw new MalformedTraceError(file, 1, `no protocol named "${name}" (known: ${PROTOCOLS.map((p) => p.name).join(', ')})`);
  return { trace, protocol };
}

/** Runs the command; resolves to its exit code. `toolchain` is for tests that already resolved one. */
export async function validateTraceCommand(
  argv: readonly string[],
  io: CommandIo,
  toolchain?: TlcToolchain,
  pagesDir: string = join(REPO_ROOT, '.cache', 'view', 'validate-trace'),
): Promise<ExitCodeValue> {
  return runCommand('validate-trace', io.stderr, async () => {
    const options = parseOptions(argv, io.cwd);
    if (options === 'help') {
      io.stdout(`${HELP}\n`);
      return ExitCode.OK;
    }
    // Every file is read and parsed before TLC starts: a malformed one fails fast.
    const loaded = [];
    for (const file of options.files) loaded.push(await loadTrace(file, options.protocol));
    const tools = toolchain ?? (await resolveToolchain(io.env));
    if (options.keep !== null) await mkdir(options.keep, { recursive: true });
    const results: unknown[] = [];
    let rejected = 0;
    const pageNames = new Set<string>();
    for (const [i, { trace, protocol }] of loaded.entries()) {
      const started = performance.now();
      // Progress only for a trace that takes a while: first after a second, then every second.
      let lastShown = started;
      let shown = false;
      const verdict = await validateTrace(trace, protocol, {
        toolchain: tools,
        specsDir: join(REPO_ROOT, 'specs'),
        maxGap: options.maxGap,
        signal: io.signal,
        ...(options.timeoutMs === null ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.keep === null ? {} : { keepIn: join(options.keep, `trace-${i + 1}`) }),
        onProgress: (explained, total) => {
          if (options.quiet || performance.now() - lastShown < 1000) return;
          lastShown = performance.now();
          shown = true;
          io.stderr(`${io.interactive ? '\r' : ''}${trace.file}: ${formatCount(explained)} of ${formatCount(total)} events explained${io.interactive ? '' : '\n'}`);
        },
      });
      if (shown && io.interactive) io.stderr('\r\x1b[K');
      const elapsed = performance.now() - started;
      let page: string | undefined;
      if (verdict.kind === 'rejected') {
        rejected++;
        // The viewer's page of the rejected trace; a page that cannot be made costs a note, not the verdict.
        try {
          page = await writeRejectionPage(trace, verdict, protocol, pagesDir, pageNames);
        } catch (error) {
          io.stderr(`validate-trace: no page for ${trace.file}: ${error instanceof Error ? error.message : String(error)}\n`);
        }
      }
      if (options.json) {
        results.push({ ...verdictJson(trace, verdict), ...(page === undefined ? {} : { page }) });
        if (page !== undefined) io.stderr(`Page: ${shownPath(io.cwd, page)} (npm run view)\n`);
      } else if (verdict.kind === 'valid') {
        io.stdout(
          `${trace.file}: valid: ${formatCount(verdict.events)} events are a behaviour of specs/${protocol.validation?.module ?? protocol.spec}.tla ` +
            `(${formatCount(verdict.distinctStates)} distinct states, ${formatElapsed(elapsed)}, ${formatCount(Math.round(verdict.events / (elapsed / 1000)))} events/s)\n`,
        );
      } else io.stdout(`${formatRejection(trace, verdict, protocol, options.context)}\n${page === undefined ? '' : `  Page: ${shownPath(io.cwd, page)} (npm run view)\n`}`);
    }
    if (options.json) io.stdout(`${JSON.stringify({ valid: rejected === 0, traces: results }, null, 2)}\n`);
    else if (loaded.length > 1) io.stdout(rejected === 0 ? `ok: ${loaded.length} traces valid\n` : `FAIL: ${rejected} of ${loaded.length} traces rejected\n`);
    return rejected === 0 ? ExitCode.OK : ExitCode.CHECK_FAILED;
  });
}


