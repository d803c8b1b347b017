/**
 * A tiny cluster driver for scenario tests, in the spirit of etcd's interaction tests: every step is named
 * in the spec's vocabulary, messages move only when the story says so, and every step is checked against
 * all invariant mirrors, so a story that passes also proves the invariants held throughout.
 *
 * A story keeps a transcript a person can read without reading TypeScript: each action as the spec names
 * it, then only the spec variables it changed; refusals with their reason; notes the test adds; and the
 * steps of helpers (`elect`, `replicate`) grouped under one line. Tests end with
 * `await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/<name>.txt')`, so a change in
 * behaviour shows as a diff of that file, as etcd's raft testdata files are read.
 */
import {
  bagEntries,
  checkStep,
  clusterStep,
  EMPTY_HISTORY,
  formatLabel,
  formatMessage,
  handleInputFor,
  initialCluster,
  labelOf,
  type ActionLabel,
  type ClusterSnapshot,
  type CommitHistory,
  type Input,
  type LogEntry,
  type Message,
  type MessageType,
  type NodeId,
  type NodeState,
  type Outputs,
  type StepFn,
  step,
} from '../../../src/raft/index.js';

/** Which messages a delivery/drop applies to; every given field must match. */
export interface MessageFilter {
  from?: NodeId | NodeId[];
  to?: NodeId | NodeId[];
  type?: MessageType;
}

function matches(m: Message, f: MessageFilter): boolean {
  const one = (want: NodeId | NodeId[] | undefined, have: NodeId) =>
    want === undefined || (Array.isArray(want) ? want.includes(have) : want === have);
  return one(f.from, m.from) && one(f.to, m.to) && (f.type === undefined || f.type === m.type);
}

const entries = (log: readonly LogEntry[]): string => (log.length === 0 ? '(empty)' : log.map((e) => `t${e.term}:${e.value}`).join(' '));
const set = (ids: readonly NodeId[]): string => `{${[...ids].sort().join(', ')}}`;

/** The action as the spec's `action` label names it: `Timeout(node: s1)`, `HandleRequestVoteRequest(node: s2, peer: s1)`. */
function describeAction(label: ActionLabel): string {
  switch (label.name) {
    case 'Init':
      return 'Init';
    case 'ClientRequest':
      return `ClientRequest(node: ${label.node}, value: ${label.value})`;
    case 'AppendEntries':
      return `AppendEntries(node: ${label.node}, peer: ${label.peer})`;
    case 'DropMessage':
    case 'DuplicateMessage':
      return `${label.name}(message: ${formatMessage(label.message)})`;
    case 'HandleRequestVoteRequest':
    case 'HandleRequestVoteResponse':
    case 'HandleAppendEntriesRequest':
    case 'HandleAppendEntriesResponse':
      return `${label.name}(node: ${label.node}, peer: ${label.peer})`;
    default:
      return `${label.name}(node: ${label.node})`;
  }
}

/** The spec variables a step changed, one line each, in the spec's order (see the README's TLC stories). */
function describeChanges(before: ClusterSnapshot, after: ClusterSnapshot, history: CommitHistory, newHistory: CommitHistory): string[] {
  const out: string[] = [];
  const servers = after.servers;
  const perServer = <T>(name: string, get: (s: NodeState) => T, show: (v: T) => string, same = (a: T, b: T) => a === b): void => {
    for (const id of servers) {
      const a = get(before.nodes[id]!);
      const b = get(after.nodes[id]!);
      if (!same(a, b)) out.push(`${name}[${id}] = ${show(b)}`);
    }
  };
  perServer('currentTerm', (s) => s.currentTerm, String);
  perServer('role', (s) => s.role, String);
  perServer('votedFor', (s) => s.votedFor, (v) => v ?? 'Nil');
  perServer('log', (s) => s.log.toArray(), entries, (a, b) => entries(a) === entries(b));
  perServer('commitIndex', (s) => s.commitIndex, String);
  perServer('votesGranted', (s) => set(s.votesGranted), (v) => v);
  for (const variable of ['nextIndex', 'matchIndex'] as const) {
    for (const id of servers) {
      for (const peer of servers) {
        const a = before.nodes[id]![variable][peer];
        const b = after.nodes[id]![variable][peer];
        if (a !== b) out.push(`${variable}[${id}][${peer}] = ${b}`);
      }
    }
  }
  const count = (c: ClusterSnapshot) => new Map(bagEntries(c.messages).map((e) => [formatMessage(e.message), e.count]));
  const was = count(before);
  const now = count(after);
  for (const [m, n] of was) if (!now.has(m)) out.push(`messages: - ${m}${n > 1 ? ` (all ${n} copies)` : ''}`);
  for (const [m, n] of now) {
    const old = was.get(m);
    if (old === undefined) out.push(`messages: + ${m}${n > 1 ? ` (x${n})` : ''}`);
    else if (old !== n) out.push(`messages[${m}]: ${old} -> ${n}`);
  }
  for (const r of newHistory.slice(history.length)) {
    out.push(`commitHistory: + index ${r.index} = t${r.entry.term}:${r.entry.value}, committed in term ${r.commitTerm}`);
  }
  return out;
}

/** How values read in a transcript, for a reader who does not read the TypeScript. */
const NOTATION = [
  'Notation: t2:v1 is a log entry of term 2 with value v1; Nil is "no vote"; {s1, s2} is a set of servers;',
  '  messages: + m / - m is a message put in flight / taken out; messages[m]: 1 -> 2 counts its copies in flight.',
  '  RequestVoteRequest s1->s2 t3 last=4/2: s1, candidate in term 3, asks s2; its log ends at index 4, of term 2.',
  '  RequestVoteResponse s2->s1 t3 granted (or refused).',
  '  AppendEntriesRequest s1->s2 t3 prev=4/2 [t3:v5] c=4: leader s1 of term 3 sends the entries after index 4',
  '    (which must have term 2 at s2), and its commitIndex 4.',
  '  AppendEntriesResponse s2->s1 t3 ok match=5 (or fail): s2 now matches the leader up to index 5.',
];

/** A cluster plus its commit history and a transcript of the steps taken. */
export class Story {
  /** The labels taken since the last `takeTranscript()` (`formatLabel` form). */
  private labels: string[] = [];
  /** The readable transcript; a branch with a title writes into its parent's. */
  private lines: string[] = [];
  /** Indentation of the next transcript line (helpers and branches nest). */
  private indent = '';
  /** The title of a branch whose steps were last written into this story's transcript. */
  private openBranch: string | null = null;
  /** Prefix of every line of a branch (`| `). */
  private prefix = '';

  constructor(
    public cluster: ClusterSnapshot,
    public history: CommitHistory = EMPTY_HISTORY,
    /** The node core; a deliberately broken one (src/raft/defects.ts) for negative controls. */
    private readonly stepFn: StepFn = step,
  ) {}

  /** A story starting from the spec's `Init` for `servers`. */
  static of(...servers: NodeId[]): Story {
    return Story.start(servers, step, null);
  }

  /** A story whose nodes run `stepFn` instead of the real core; `core` names it for the transcript. */
  static withCore(stepFn: StepFn, core: string, ...servers: NodeId[]): Story {
    return Story.start(servers, stepFn, core);
  }

  private static start(servers: NodeId[], stepFn: StepFn, core: string | null): Story {
    const s = new Story(initialCluster(servers), EMPTY_HISTORY, stepFn);
    s.write(`Init: servers ${servers.join(', ')}; every server a Follower in term 0 with an empty log, no messages in flight.`);
    if (core !== null) s.write(`The servers run ${core}, not the real core.`);
    s.write('Every step below is checked against every invariant; each lists the spec variables it changed.');
    for (const line of NOTATION) s.write(line);
    s.write('');
    return s;
  }

  /**
   * An independent copy to explore an alternative future (cheap: states are immutable). With a `title`,
   * its steps appear in this story's transcript as an indented `what if` block at the point it was played.
   */
  branch(title?: string): Story {
    const s = new Story(this.cluster, this.history, this.stepFn);
    s.labels = [...this.labels];
    if (title !== undefined) {
      this.write(`what if ${title}? (another future; the story does not take it)`);
      this.openBranch = title;
      s.lines = this.lines;
      s.indent = this.indent;
      s.prefix = `${this.prefix}| `;
    }
    return s;
  }

  private write(line: string): void {
    if (this.openBranch !== null) {
      const title = this.openBranch;
      this.openBranch = null;
      this.write(`(end of "what if ${title}"; back to the story)`);
    }
    this.lines.push(line === '' ? '' : `${this.prefix}${this.indent}${line}`.trimEnd());
  }

  /** A sentence of the story: a paragraph of the transcript, wrapped at 100 columns. */
  note(text: string): void {
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] !== '') this.write('');
    let line = '';
    for (const word of text.split(/\s+/)) {
      if (line !== '' && line.length + 1 + word.length > 100) {
        this.write(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    this.write(line);
  }

  /** Runs `body` with its steps indented under `title`. */
  private group<T>(title: string, body: () => T): T {
    this.write(title);
    const outer = this.indent;
    this.indent += '    ';
    try {
      return body();
    } finally {
      this.indent = outer;
    }
  }

  /** The readable transcript so far, ending in a newline. */
  transcript(): string {
    return `${this.lines.join('\n').trimEnd()}\n`;
  }

  /** The current state of a node. */
  node(id: NodeId): NodeState {
    const s = this.cluster.nodes[id];
    if (s === undefined) throw new Error(`no node ${id}`);
    return s;
  }

  /** Take a labelled action; throws (with the reason) if it is not enabled or breaks an invariant. */
  take(label: ActionLabel): Outputs | null {
    const before = this.cluster;
    const r = clusterStep(before, label, this.stepFn);
    if (r.notEnabled !== null) throw new Error(`${formatLabel(label)} refused: ${r.notEnabled.reason}`);
    const { history, broken } = checkStep(this.history, before, r.cluster, label);
    this.write(describeAction(label));
    const changes = describeChanges(before, r.cluster, this.history, history);
    for (const change of changes.length > 0 ? changes : ['(no variable changed)']) this.write(`    ${change}`);
    this.cluster = r.cluster;
    this.history = history;
    this.labels.push(formatLabel(label));
    for (const b of broken) this.write(`    INVARIANT BROKEN: ${b.violation}`);
    if (broken.length > 0) throw new Error(broken.map((b) => b.violation).join('\n'));
    return r.outputs;
  }

  /** `node` takes `input`; returns its outputs. */
  act(node: NodeId, input: Input): Outputs {
    return this.take(labelOf(node, input))!;
  }

  /** `node` tries `input`; returns the refusal (or null, having taken the step). */
  attempt(node: NodeId, input: Input): string | null {
    const label = labelOf(node, input);
    const r = clusterStep(this.cluster, label, this.stepFn);
    if (r.notEnabled !== null) {
      // The reason restates the action ("X(s1) is not enabled: ..."), which the line already names.
      this.write(`${describeAction(label)} is refused: ${r.notEnabled.reason.replace(/^.*? is not enabled: /, '')}`);
      return r.notEnabled.reason;
    }
    this.take(label);
    return null;
  }

  /** Distinct messages in flight that match, in canonical order. */
  inFlight(filter: MessageFilter = {}): Message[] {
    return bagEntries(this.cluster.messages)
      .map((e) => e.message)
      .filter((m) => matches(m, filter));
  }

  /** Copies in flight of messages that match. */
  copies(filter: MessageFilter = {}): number {
    return bagEntries(this.cluster.messages)
      .filter((e) => matches(e.message, filter))
      .reduce((n, e) => n + e.count, 0);
  }

  /** Deliver one copy of each matching message currently in flight; returns how many were delivered. */
  deliver(filter: MessageFilter = {}): number {
    const ms = this.inFlight(filter);
    for (const m of ms) this.take(labelOf(m.to, handleInputFor(m)));
    return ms.length;
  }

  /** Deliver matching messages, including the replies they cause, until none match (bounded). */
  deliverAll(filter: MessageFilter = {}): void {
    for (let round = 0; round < 100; round++) if (this.deliver(filter) === 0) return;
    throw new Error('deliverAll did not quiesce');
  }

  /** Drop every copy of every matching message (a partition, or plain loss). */
  drop(filter: MessageFilter = {}): number {
    let n = 0;
    for (const e of bagEntries(this.cluster.messages)) {
      if (!matches(e.message, filter)) continue;
      for (let i = 0; i < e.count; i++) this.take({ name: 'DropMessage', message: e.message });
      n += e.count;
    }
    return n;
  }

  /** Add one copy of every matching message (the network duplicates it). */
  duplicate(filter: MessageFilter = {}): number {
    const ms = this.inFlight(filter);
    for (const m of ms) this.take({ name: 'DuplicateMessage', message: m });
    return ms.length;
  }

  /**
   * Elect `id`: it times out (possibly several times, to get past terms where voters already voted), the
   * voters' requests and replies are delivered, and it becomes leader. Messages to or from anyone outside
   * `voters` are dropped, as if partitioned.
   */
  elect(id: NodeId, voters: NodeId[]): void {
    this.group(`${id} is elected with the votes of ${voters.join(', ')} (its vote requests to anyone else are lost):`, () => this.electSteps(id, voters));
  }

  private electSteps(id: NodeId, voters: NodeId[]): void {
    const reach = [id, ...voters];
    for (let attempt = 0; attempt < 5; attempt++) {
      this.act(id, { type: 'Timeout' });
      this.drop({ from: id, type: 'RequestVoteRequest', to: this.cluster.servers.filter((s) => !reach.includes(s)) });
      this.deliver({ from: id, to: voters, type: 'RequestVoteRequest' });
      this.deliver({ from: voters, to: id, type: 'RequestVoteResponse' });
      if (this.node(id).role === 'Leader') return;
      if (this.node(id).role === 'Candidate' && this.attempt(id, { type: 'BecomeLeader' }) === null) return;
    }
    throw new Error(`${id} could not be elected by ${voters.join(', ')}`);
  }

  /** Leader sends `AppendEntries` to `peer` and the exchange is delivered, until the peer matches its log. */
  replicate(leader: NodeId, peer: NodeId, upTo = this.node(leader).log.length): void {
    this.group(`${leader} brings ${peer}'s log up to index ${upTo}:`, () => this.replicateSteps(leader, peer, upTo));
  }

  private replicateSteps(leader: NodeId, peer: NodeId, upTo: number): void {
    for (let i = 0; i < 50; i++) {
      if ((this.node(leader).matchIndex[peer] ?? 0) >= upTo) return;
      this.act(leader, { type: 'AppendEntries', peer });
      this.deliver({ from: leader, to: peer, type: 'AppendEntriesRequest' });
      this.deliver({ from: peer, to: leader, type: 'AppendEntriesResponse' });
      if (this.node(leader).role !== 'Leader') throw new Error(`${leader} stopped being leader while replicating`);
    }
    throw new Error(`${leader} could not bring ${peer} up to ${upTo}`);
  }

  /** A node's log as `t<term>:<value>` strings, for readable assertions. */
  logOf(id: NodeId): string[] {
    return Array.from(this.node(id).log, (e) => `t${e.term}:${e.value}`);
  }

  /** The labels taken since the last call (so each story paragraph can assert its own steps). */
  takeTranscript(): string[] {
    const out = this.labels;
    this.labels = [];
    return out;
  }
}
