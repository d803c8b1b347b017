/**
 * The TLA+ module and `.cfg` that let TLC check an implementation trace (the pinned TLC has no JSON
 * module, so the trace is written into the module as a literal, ARCHITECTURE.md section 10).
 *
 * The generated spec runs the protocol's own `Init` and actions, plus a cursor `l` over the trace:
 * - a logged step takes exactly the action the event names, with its parameters (`Timeout(E.node)`), and
 *   only if the spec's `action` label after it equals the event's label, the event's node's logged
 *   variables equal the spec's after the step and the messages it says it sent are the ones the spec sent;
 *   then `l` moves on. So with every action logged TLC has one successor per state: the frontier stays one
 *   state wide and checking is linear in the trace's length.
 * - a silent step (only when the header lists `unlogged` actions) takes one of those actions without a line,
 *   at most `maxGap` times between two events, leaving `l` where it is: TLC fills the gap with the spec's
 *   own nondeterminism. The network's actions are filled in without any search: a lost message never
 *   needs to be (a spec behaviour that keeps it in flight explains the same log), and when the next event
 *   consumes the last copy of a message that a later event consumes again, the spec first copies it (a
 *   copy too many is harmless: nothing checks the whole bag). Searching for where copies were made instead
 *   would double the frontier at every repeated message (heartbeats are) and never shrink it again.
 * - the farthest cursor any behaviour reached is printed as it grows (`<<"cursor", k>>`), and reaching the
 *   end prints `<<"accepted">>` and stops TLC.
 * - when diagnosing the event no behaviour explains (`stuck`), every spec step enabled in the states
 *   before it is printed with the spec's values of the logged variables after it.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { TraceValidation } from '../protocol/definition.js';
import { type TlaValue, printTla, quoteTlaString } from '../tla/value.js';
import { type ImplTrace, type ImplTraceEvent, MalformedTraceError } from './format.js';

/** How the module is generated. */
export interface TraceModuleOptions {
  /** Silent steps allowed between two events (only when the header lists unlogged actions). Default 2. */
  readonly maxGap?: number;
  /** Diagnose this event (1-based): print the steps the spec enables in the states before it. */
  readonly stuck?: number;
  /**
   * Name repeated messages and check unchanged variables as unchanged (default true): the same check on a
   * module a third the size. Off only to measure what it saves (`npm run bench -- validate`).
   */
  readonly compact?: boolean;
}

/** A generated module and its config. */
export interface TraceModule {
  readonly name: string;
  readonly moduleText: string;
  readonly configText: string;
}

/** Default bound on silent steps between two events. */
export const DEFAULT_MAX_GAP = 2;

function identifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

function record(fields: readonly (readonly [string, string])[]): string {
  return `[${fields.map(([name, text]) => `${name} |-> ${text}`).join(', ')}]`;
}

function messageOf(event: ImplTraceEvent, field: string): TlaValue | undefined {
  return event.action.kind === 'record' ? event.action.fields.get(field) : undefined;
}

/**
 * For each event that consumes a message, whether a later event consumes an equal one: only then may a
 * silent duplicate of it be needed (the log left out the network's duplication).
 */
function consumedAgain(events: readonly ImplTraceEvent[], field: string, duplicate: string): boolean[] {
  const later = new Set<string>();
  const again: boolean[] = new Array<boolean>(events.length).fill(false);
  for (let i = events.length - 1; i >= 0; i--) {
    // A copy names its message but consumes none.
    if ((events[i] as ImplTraceEvent).name === duplicate) continue;
    const message = messageOf(events[i] as ImplTraceEvent, field);
    if (message === undefined) continue;
    const key = printTla(message);
    again[i] = later.has(key);
    later.add(key);
  }
  return again;
}

/**
 * For each event, the logged variables whose value is the one its node logged last (`same`) and the others
 * (`changed`), as TLA+ text. A variable that stays the same is checked as unchanged in the spec, which says
 * the same thing when nothing else changed it in between: so only when every action is logged (no silent
 * step) and a node's variables change only by its own steps. It keeps the module small: SANY's parsing of
 * the literal is most of a long trace's checking time.
 */
function splitUnchanged(events: readonly ImplTraceEvent[], delta: boolean, alsoChanges: (action: TlaValue) => readonly string[]): { readonly changed: [string, string][]; readonly same: string[] }[] {
  const last = new Map<string, Map<string, string>>();
  return events.map((event) => {
    // Another node's step that may change this one's variables: its next logged values are spelled out.
    for (const other of alsoChanges(event.action)) if (other !== event.node) last.delete(other);
    const changed: [string, string][] = [];
    const same: string[] = [];
    const node = event.node;
    const previous = node === undefined ? undefined : (last.get(node) ?? new Map<string, string>());
    for (const [name, value] of event.vars ?? []) {
      const text = printTla(value);
      if (delta && previous?.get(name) === text) same.push(name);
      else changed.push([name, text]);
      previous?.set(name, text);
    }
    if (node !== undefined && previous !== undefined) last.set(node, previous);
    return { changed, same };
  });
}

/**
 * Values a trace repeats (a message is sent, received, perhaps copied and dropped; most events leave the
 * same variables unchanged), each defined once as a constant of the module and named where it recurs.
 */
class SharedValues {
  private readonly names = new Map<string, string>();
  readonly definitions: string[] = [];

  constructor(private readonly prefix: string) {}

  name(text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      name = `${this.prefix}${this.names.size + 1}`;
      this.names.set(text, name);
      this.definitions.push(`${name} == ${text}`);
    }
    return name;
  }
}

interface EventText {
  readonly messages: SharedValues;
  readonly sameSets: SharedValues;
  /** The label field holding the message a step consumes, when the protocol has a network bag. */
  readonly messageField: string | undefined;
}

function labelText(action: TlaValue, shared: EventText): string {
  if (action.kind !== 'record' || shared.messageField === undefined) return printTla(action);
  const field = shared.messageField;
  return record([...action.fields].map(([name, value]) => [name, name === field ? shared.messages.name(printTla(value)) : printTla(value)]));
}

function eventLiteral(event: ImplTraceEvent, vars: { readonly changed: [string, string][]; readonly same: string[] }, again: boolean, shared: EventText): string {
  const fields: [string, string][] = [['action', labelText(event.action, shared)]];
  if (event.node !== undefined) fields.push(['node', quoteTlaString(event.node)]);
  if (vars.changed.length > 0) fields.push(['vars', record(vars.changed)]);
  if (vars.same.length > 0) fields.push(['same', shared.sameSets.name(`{${vars.same.map(quoteTlaString).join(', ')}}`)]);
  if (event.globals !== undefined && event.globals.size > 0) fields.push(['globals', record([...event.globals].map(([name, value]) => [name, printTla(value)]))]);
  if (event.sent !== undefined) {
    const sent = event.sent.kind === 'set' && shared.messageField !== undefined ? `{${event.sent.elements.map((m) => shared.messages.name(printTla(m))).join(', ')}}` : printTla(event.sent);
    fields.push(['sent', sent]);
  }
  if (again) fields.push(['again', 'TRUE']);
  return record(fields);
}

/** The variables some event logs, checked against the protocol's node variables. */
function loggedVariables(trace: ImplTrace, validation: TraceValidation): string[] {
  const known = new Set(validation.nodeVariables);
  const seen = new Set<string>();
  for (const event of trace.events) {
    for (const name of event.vars?.keys() ?? []) {
      if (!known.has(name)) {
        throw new MalformedTraceError(trace.file, event.line, `"vars.${name}" is not a node variable of ${validation.module} (${validation.nodeVariables.join(', ')})`);
      }
      seen.add(name);
    }
  }
  return validation.nodeVariables.filter((v) => seen.has(v));
}

/** The global variables some event logs, checked against the protocol's (a function's entries must be a function). */
function loggedGlobals(trace: ImplTrace, validation: TraceValidation): string[] {
  const known = validation.globalVariables ?? {};
  const seen = new Set<string>();
  for (const event of trace.events) {
    for (const [name, value] of event.globals ?? []) {
      const how = Object.hasOwn(known, name) ? known[name] : undefined;
      if (how === undefined) {
        const names = Object.keys(known);
        throw new MalformedTraceError(trace.file, event.line, `"globals.${name}" is not a global variable of ${validation.module}${names.length === 0 ? ' (it logs none)' : ` (${names.join(', ')})`}`);
      }
      if ((how === 'entries' || how === 'fields') && value.kind !== 'fn' && value.kind !== 'record') {
        throw new MalformedTraceError(trace.file, event.line, `"globals.${name}" holds some entries of a function: a {"#map": [[key, value], ...]}`);
      }
      seen.add(name);
    }
  }
  return Object.keys(known).filter((v) => seen.has(v));
}

/** The module and config that check `trace` against `validation.module`. */
export function traceModule(trace: ImplTrace, validation: TraceValidation, constants: ReadonlyMap<string, TlaValue>, options: TraceModuleOptions = {}): TraceModule {
  const maxGap = options.maxGap ?? DEFAULT_MAX_GAP;
  const events = trace.events;
  for (const name of constants.keys()) if (!identifier(name)) throw new MalformedTraceError(trace.file, 1, `constant name "${name}" is not a TLA+ identifier`);
  const logged = loggedVariables(trace, validation);
  const globals = loggedGlobals(trace, validation);
  const bag = validation.messageBag;
  const messageSet = validation.messageSet;
  const again = bag === undefined ? events.map(() => false) : consumedAgain(events, bag.consumedField, bag.duplicate);
  const network = bag === undefined ? [] : [bag.drop, bag.duplicate];
  const silent = trace.header.unlogged.filter((name) => !network.includes(name));
  const copyCall = bag !== undefined && trace.header.unlogged.includes(bag.duplicate) ? validation.calls[bag.duplicate] : undefined;
  const compact = options.compact ?? true;
  const split = splitUnchanged(events, compact && trace.header.unlogged.length === 0, (action) => validation.alsoChanges?.(action) ?? []);
  const shared: EventText = { messages: new SharedValues('Msg_'), sameSets: new SharedValues('Same_'), messageField: compact ? bag?.consumedField : undefined };
  const eventTexts = events.map((e, i) => `  ${eventLiteral(e, split[i] as (typeof split)[number], again[i] ?? false, shared)}`);
  const digest = createHash('sha256').update(trace.file).update(String(events.length)).digest('hex').slice(0, 8);
  const name = `TraceCheck_${digest}`;

  const calls = Object.entries(validation.calls);
  const named = [
    ...calls.map(([action, call]) => `    \\/ E.action.name = ${quoteTlaString(action)} /\\ ${call}`),
    `    \\/ E.action.name \\notin {${calls.map(([action]) => quoteTlaString(action)).join(', ')}} /\\ Next`,
  ];
  // IF, not \/ or =>: in an action TLC explores every disjunct as a branch, and E.vars may not exist.
  const varsMatch = logged.map(
    (v) => `    /\\ IF HasVar(${quoteTlaString(v)}) THEN ${v}'[E.node] = E.vars.${v} ELSE IF SameVar(${quoteTlaString(v)}) THEN ${v}'[E.node] = ${v}[E.node] ELSE TRUE`,
  );
  const globalsMatch = globals.map((v) => {
    const how = validation.globalVariables?.[v];
    const check =
      how === 'entries'
        ? `(\\A k \\in DOMAIN E.globals.${v} : ${v}'[k] = E.globals.${v}[k])`
        : how === 'fields'
          ? `(\\A k \\in DOMAIN E.globals.${v} : \\A f \\in DOMAIN E.globals.${v}[k] : ${v}'[k][f] = E.globals.${v}[k][f])`
          : `${v}' = E.globals.${v}`;
    return `    /\\ IF HasGlobal(${quoteTlaString(v)}) THEN ${check} ELSE TRUE`;
  });
  const view = (primed: boolean) => record(validation.nodeVariables.map((v) => [v, `${v}${primed ? "'" : ''}[E.node]`]));
  const consumed = bag === undefined ? '' : `(IF Has(E.action, ${quoteTlaString(bag.consumedField)}) THEN SetToBag({E.action.${bag.consumedField}}) ELSE EmptyBag)`;

  const lines: string[] = [
    `---- MODULE ${name} ----`,
    `\\* Generated by npm run validate-trace from ${trace.file.replace(/[\r\n]/g, ' ')} (${events.length} events).`,
    `\\* Checks that some behaviour of ${validation.module} explains the trace; do not edit.`,
    `EXTENDS ${validation.module}, TLC, Naturals, Sequences, Bags`,
    '',
    'VARIABLES l, gap',
    '',
    ...[...constants].map(([c, value]) => `Trace_${c} == ${printTla(value)}`),
    '',
    ...shared.messages.definitions,
    ...shared.sameSets.definitions,
    '',
    'Trace == <<',
    eventTexts.join(',\n'),
    '>>',
    '',
    `MaxGap == ${maxGap}`,
    `Stuck == ${options.stuck ?? 0}`,
    'E == Trace[l]',
    'Has(r, f) == f \\in DOMAIN r',
    'HasVar(v) == Has(E, "vars") /\\ Has(E.vars, v)',
    'SameVar(v) == Has(E, "same") /\\ v \\in E.same',
    'HasGlobal(v) == Has(E, "globals") /\\ Has(E.globals, v)',
    '',
    '\\* The spec action the event names, with its parameters.',
    'Named ==',
    ...named,
    '',
    '\\* The event\'s node\'s logged variables are the spec\'s after the step.',
    'VarsMatch ==',
    ...(logged.length === 0 ? ['    TRUE'] : varsMatch),
    '',
    '\\* The variables not indexed by node that the event logs are the spec\'s after the step.',
    'GlobalsMatch ==',
    ...(globals.length === 0 ? ['    TRUE'] : globalsMatch),
    '',
    '\\* The messages the event says it sent are those the spec sent.',
    'SentMatch ==',
    bag !== undefined
      ? `    IF Has(E, "sent") THEN ${bag.variable}' = (${bag.variable} (-) ${consumed}) (+) SetToBag(E.sent) ELSE TRUE`
      : messageSet !== undefined
        ? `    IF Has(E, "sent") THEN E.sent \\subseteq ${messageSet.variable}' /\\ ${messageSet.variable}' \\ ${messageSet.variable} \\subseteq E.sent ELSE TRUE`
        : '    TRUE',
    '',
    'Advance ==',
    "    /\\ l' = l + 1",
    "    /\\ gap' = 0",
    "    /\\ IF l' > TLCGet(1) THEN TLCSet(1, l') /\\ PrintT(<<\"cursor\", l'>>) ELSE TRUE",
    "    /\\ IF l' > Len(Trace) THEN PrintT(<<\"accepted\">>) /\\ TLCSet(\"exit\", TRUE) ELSE TRUE",
    '',
    '\\* The next event consumes the last copy of a message a later event consumes again (copies are unlogged).',
    'NeedCopy ==',
    bag === undefined || copyCall === undefined
      ? '    FALSE'
      : `    Has(E, "again") /\\ Has(E.action, ${quoteTlaString(bag.consumedField)}) /\\ E.action.${bag.consumedField} \\in DOMAIN ${bag.variable} /\\ ${bag.variable}[E.action.${bag.consumedField}] = 1`,
    'CopyStep ==',
    copyCall === undefined ? '    FALSE' : `    l \\in 1..Len(Trace) /\\ NeedCopy /\\ ${copyCall} /\\ l' = l /\\ gap' = gap`,
    '',
    'LoggedStep ==',
    '    /\\ l \\in 1..Len(Trace)',
    '    /\\ ~NeedCopy',
    '    /\\ Named',
    "    /\\ action' = E.action",
    '    /\\ VarsMatch',
    '    /\\ GlobalsMatch',
    '    /\\ SentMatch',
    '    /\\ Advance',
    '',
    `SilentActions == {${silent.map(quoteTlaString).join(', ')}}`,
    'SilentStep ==',
    silent.length === 0
      ? '    FALSE'
      : [
          '    /\\ l \\in 1..Len(Trace)',
          '    /\\ gap < MaxGap',
          '    /\\ Next',
          "    /\\ action'.name \\in SilentActions",
          "    /\\ l' = l",
          "    /\\ gap' = gap + 1",
        ].join('\n'),
    '',
    '\\* Diagnosis of the event at Stuck: what the spec could do instead.',
    'Diagnose ==',
    '    /\\ l = Stuck',
    `    /\\ PrintT(<<"before", IF Has(E, "node") THEN ${view(false)} ELSE <<>>, ${bag === undefined ? '"n/a"' : `IF Has(E.action, ${quoteTlaString(bag.consumedField)}) THEN E.action.${bag.consumedField} \\in DOMAIN ${bag.variable} ELSE "n/a"`}>>)`,
    '    /\\ Next',
    `    /\\ PrintT(<<"enabled", action', IF Has(E, "node") /\\ Has(action', "node") /\\ action'.node = E.node THEN ${view(true)} ELSE <<>>${
      bag !== undefined
        ? `, {m \\in DOMAIN ${bag.variable}' : m \\notin DOMAIN ${bag.variable} \\/ ${bag.variable}'[m] > ${bag.variable}[m]}`
        : messageSet !== undefined
          ? `, ${messageSet.variable}' \\ ${messageSet.variable}`
          : ''
    }>>)`,
    "    /\\ l' = 0",
    "    /\\ gap' = gap",
    '',
    ...(validation.fingerprint === undefined ? [] : [`TraceView == <<l, gap, ${validation.fingerprint.join(', ')}>>`]),
    'TraceInit == Init /\\ l = 1 /\\ gap = 0 /\\ TLCSet(1, 1)',
    'TraceNext == LoggedStep \\/ CopyStep \\/ SilentStep \\/ Diagnose',
    '====',
    '',
  ];
  const configText = [
    'INIT TraceInit',
    'NEXT TraceNext',
    'CONSTANTS',
    ...[...constants.keys()].map((c) => `  ${c} <- Trace_${c}`),
    ...validation.fixedConstants.map((line) => `  ${line}`),
    ...(validation.fingerprint === undefined ? [] : ['VIEW TraceView']),
    'CHECK_DEADLOCK FALSE',
    '',
  ].join('\n');
  return { name, moduleText: lines.join('\n'), configText };
}
