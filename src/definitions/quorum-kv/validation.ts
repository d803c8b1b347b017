/**
 * How TLC checks a trace recorded from the quorum store (`npm run kv-sim -- --record`) against
 * `specs/QuorumKV.tla`: the constants the trace fixes, the variables it may log (a node's store, hints,
 * clock and whether it is up; some entries of the client records `writes` and `seen`, some fields of
 * some entries of `reads`; the fault
 * counters and sides whole), the set of messages in flight, and the spec action each label names.
 *
 * The spec's labels name a message by its ends and contents, not whole (`Replicate` names the Put's
 * replica, coordinator, value and whether it is a read repair), so a call picks the one message in flight
 * that fits; a hand-off picks the hint by its home replica and value.
 *
 * @module
 */
import { SpecValueError, type TraceValidation } from '../../protocol/definition.js';
import { type TlaValue, tla } from '../../tla/value.js';

/** The constants a run fixes that its header must give: the others follow from its events. */
const REQUIRED = ['Node', 'Pref', 'N', 'R', 'W', 'Mode', 'Resolution'] as const;

function field(action: TlaValue, name: string): TlaValue | undefined {
  return action.kind === 'record' ? action.fields.get(name) : undefined;
}

function text(v: TlaValue | undefined): string | undefined {
  return v?.kind === 'str' ? v.value : v?.kind === 'modelValue' ? v.name : undefined;
}

function sortedSet(values: Iterable<TlaValue>, key: (v: TlaValue) => string): TlaValue {
  const byKey = new Map<string, TlaValue>();
  for (const v of values) byKey.set(key(v), v);
  return tla.set(...[...byKey.keys()].sort().map((k) => byKey.get(k) as TlaValue));
}

/**
 * The constants the events imply when the header leaves them out: the values written and the reads begun,
 * a clock bound no node's writes and ticks exceed, as many splits and crashes as the trace takes, a lossy
 * network if a message or an answer was lost, and clients that do not wait for each other.
 */
function implied(events: readonly { readonly action: TlaValue }[]): Map<string, TlaValue> {
  const values: TlaValue[] = [];
  const reads: TlaValue[] = [];
  const clockSteps = new Map<string, number>();
  let splits = 0;
  let crashes = 0;
  let lossy = false;
  for (const { action } of events) {
    const name = text(field(action, 'name'));
    const node = text(field(action, 'node'));
    const answered = field(action, 'answered');
    if (name === 'Write' || name === 'Tick') clockSteps.set(node ?? '', (clockSteps.get(node ?? '') ?? 0) + 1);
    if (name === 'Write') values.push(field(action, 'value') ?? tla.str(''));
    if (name === 'Read') reads.push(field(action, 'read') ?? tla.int(0));
    if (name === 'Split') splits++;
    if (name === 'Crash') crashes++;
    if (name === 'DropMessage') lossy = true;
    // A read repair's Put is never answered; any other request whose answer did not count was lost.
    const repair = field(action, 'repair');
    if ((name === 'Replicate' || name === 'Answer') && answered?.kind === 'bool' && !answered.value && !(repair?.kind === 'bool' && repair.value)) lossy = true;
  }
  return new Map<string, TlaValue>([
    ['Value', sortedSet(values, (v) => text(v) ?? '')],
    ['Reads', sortedSet(reads, (v) => (v.kind === 'int' ? v.value.toString().padStart(12, '0') : ''))],
    ['MaxClock', tla.int(Math.max(1, ...clockSteps.values()))],
    ['MaxSplits', tla.int(splits)],
    ['MaxCrashes', tla.int(crashes)],
    ['Lossy', tla.bool(lossy)],
    ['OneClient', tla.bool(false)],
  ]);
}

/** A message in flight that fits the label's parameters, then the action on it. */
const onMessage = (type: string, fits: string, call: string) => `(\\E m \\in msgs : m.type = "${type}" /\\ m.to = E.node /\\ m.from = E.action.peer /\\ ${fits} /\\ ${call})`;

export const QUORUM_KV_VALIDATION: TraceValidation = {
  module: 'QuorumKV',
  fixedConstants: ['None = None', 'UNSAFE_AckShortOfW = FALSE'],
  constants(header, events) {
    for (const name of REQUIRED) {
      if (!header.has(name)) {
        throw new SpecValueError(`constants.${name}`, `the header must give ${REQUIRED.join(', ')} (the run's nodes, the key's preference walk as a sequence, its quorums, mode and resolution)`);
      }
    }
    const node = header.get('Node') as TlaValue;
    const pref = header.get('Pref') as TlaValue;
    if (node.kind !== 'set' || node.elements.length === 0) throw new SpecValueError('constants.Node', 'expected the non-empty set of node ids ({"#set": ["n1", ...]})');
    if (pref.kind !== 'seq' || pref.elements.length !== node.elements.length) throw new SpecValueError('constants.Pref', 'expected the preference walk: every node once, as a sequence (["n1", ...])');
    const constants = implied(events);
    for (const [name, value] of header) constants.set(name, value);
    return constants;
  },
  nodeVariables: ['store', 'hints', 'clock', 'up'],
  // A read's record may leave out `ackedBefore` (a history variable that grows with the run).
  globalVariables: { writes: 'entries', reads: 'fields', seen: 'entries', side: 'whole', splits: 'whole', crashes: 'whole' },
  messageSet: { variable: 'msgs' },
  // `seen` only feeds the invariants, and grows quadratically with the writes of a run.
  fingerprint: ['store', 'hints', 'clock', 'up', 'side', 'splits', 'crashes', 'msgs', 'writes', 'reads'],
  alsoChanges(action) {
    const name = text(field(action, 'name'));
    const peer = text(field(action, 'peer'));
    // Anti-entropy merges into both stores; a hand-off stores the version at the home replica.
    return (name === 'AntiEntropy' || name === 'HandOff') && peer !== undefined ? [peer] : [];
  },
  calls: {
    Write: 'Write(E.node, E.action.value)',
    Read: 'Read(E.node, E.action.read)',
    Replicate: onMessage('Put', 'm.ver.val = E.action.value /\\ m.repair = E.action.repair', 'Replicate(m, E.action.answered)'),
    Answer: onMessage('Get', 'm.read = E.action.read', 'Answer(m, E.action.answered)'),
    DropMessage: 'DropMessage(E.action.message)',
    HandOff: '(\\E h \\in hints[E.node] : h.for = E.action.peer /\\ h.ver.val = E.action.value /\\ HandOff(E.node, h))',
    AntiEntropy: 'AntiEntropy(E.node, E.action.peer)',
    Split: 'Split(E.action.nodes)',
    Heal: 'Heal',
    Crash: 'Crash(E.node)',
    Restart: 'Restart(E.node)',
    Tick: 'Tick(E.node)',
  },
};
