// Merging per-node recordings (src/node/trace-merge.ts). The runs are built deterministically from the real
// node host and the runtime's own recorder, with writes completed by hand, so a "kill -9" can strike
// between a step and its fsync: the merged trace must cut that unsaved step and be valid under TLC, and
// the same recordings merged without the cut (the negative control) must be rejected at the restart.
import { describe, expect, it } from 'vitest';
import { RAFT } from '../../src/definitions/raft/definition.js';
import { KvReplica } from '../../src/host/kv-replica.js';
import { NodeHost, type NodeEnvironment, type NodeObserver } from '../../src/host/node-host.js';
import type { KvRequest } from '../../src/kv/client.js';
import { NOOP } from '../../src/kv/command.js';
import { StepRecording } from '../../src/node/step-recording.js';
import { type NodeRecording, TraceMergeError, mergeNodeTraces } from '../../src/node/trace-merge.js';
import type { Input, Message, NodeId, NodeState, StepResult } from '../../src/raft/index.js';
import { INITIAL_PERSISTENT_STATE, type PersistentState } from '../../src/storage/types.js';
import { parseImplTrace } from '../../src/validate/format.js';
import { validateTrace } from '../../src/validate/validate.js';
import { SPECS, tlcToolchain } from '../support/tlc.js';

const SERVERS = ['s1', 's2', 's3'] as const;

/** A hand-driven cluster: messages are delivered and writes completed only when the test says so. */
class HandCluster {
  private clock = 0;
  readonly network: Message[] = [];
  readonly lines = new Map<NodeId, string[]>(SERVERS.map((s) => [s, []]));
  readonly nodes = new Map<NodeId, HandNode>();

  constructor() {
    for (const id of SERVERS) this.boot(id, INITIAL_PERSISTENT_STATE);
  }

  tick(): number {
    return (this.clock += 1);
  }

  /** A new process for `id` on what its disk holds (appending to its recording). */
  boot(id: NodeId, disk: PersistentState): HandNode {
    const node = new HandNode(id, this, disk);
    this.nodes.set(id, node);
    node.host.start();
    return node;
  }

  node(id: NodeId): HandNode {
    return this.nodes.get(id) as HandNode;
  }

  /** Delivers the first message in flight matching `which`. */
  deliver(which: (m: Message) => boolean): void {
    const i = this.network.findIndex(which);
    if (i < 0) throw new Error('no such message in flight');
    const [m] = this.network.splice(i, 1);
    this.node((m as Message).to).host.receive(m as Message);
  }

  recordings(): NodeRecording[] {
    return SERVERS.map((id) => ({ file: `${id}.ndjson`, text: `${(this.lines.get(id) as string[]).join('\n')}\n` }));
  }
}

class HandNode implements NodeEnvironment, NodeObserver<KvRequest> {
  readonly host: NodeHost<KvRequest>;
  private readonly recording: StepRecording;
  private queued = 0;

  constructor(
    readonly id: NodeId,
    private readonly cluster: HandCluster,
    disk: PersistentState,
  ) {
    const lines = cluster.lines.get(id) as string[];
    this.recording = new StepRecording(id, SERVERS, (line) => lines.push(line), lines.length > 0, { test: 'hand' }, () => cluster.tick());
    this.host = new NodeHost<KvRequest>({
      id,
      servers: SERVERS,
      environment: this,
      observer: this,
      electionEntry: NOOP,
      durable: disk,
      service: () => new KvReplica({ servers: SERVERS, answer: () => undefined }),
    });
  }

  /** Every write handed over is durable now. */
  sync(): void {
    while (this.queued > 0) {
      this.queued--;
      this.host.writeDurable(this.host.incarnation);
    }
  }

  /** kill -9: the writes not yet durable are lost; a new process starts from the disk. */
  kill(): HandNode {
    return this.cluster.boot(this.id, this.host.durable);
  }

  now(): number {
    return this.cluster.tick();
  }
  persist(): void {
    this.queued++;
  }
  send(message: Message): void {
    this.cluster.network.push(message);
  }
  armElectionTimer(): void {}
  armHeartbeatTimer(): void {}
  reset(): void {}
  stepped(_before: NodeState, result: StepResult, input: Input): void {
    this.recording.stepped(input, result);
  }
  restarted(_before: NodeState, result: StepResult): void {
    this.recording.restarted(result);
  }
}

/** s1 is elected; s2 takes s1's first entry but is killed before the write is durable, restarts and catches up. */
function killedBetweenStepAndFsync(): HandCluster {
  const c = new HandCluster();
  const s1 = c.node('s1');
  s1.host.electionTimeout();
  s1.sync();
  for (const peer of ['s2', 's3']) {
    c.deliver((m) => m.type === 'RequestVoteRequest' && m.to === peer);
    c.node(peer).sync();
  }
  c.deliver((m) => m.type === 'RequestVoteResponse');
  s1.sync();
  // s2 appends the no-op entry; the process dies before its write is durable.
  c.deliver((m) => m.type === 'AppendEntriesRequest' && m.to === 's2');
  const s2 = c.node('s2').kill();
  // The heartbeat resends the entry; this time it is saved and acknowledged.
  s1.host.heartbeat(s1.host.state.currentTerm);
  c.deliver((m) => m.type === 'AppendEntriesRequest' && m.to === 's2' && m.entries.length > 0);
  s2.sync();
  c.deliver((m) => m.type === 'AppendEntriesResponse' && m.from === 's2');
  s1.sync();
  return c;
}

async function verdictOf(lines: readonly string[]) {
  return validateTrace(parseImplTrace(lines.join('\n'), 'merged.ndjson'), RAFT, { toolchain: await tlcToolchain(), specsDir: SPECS, timeoutMs: 120_000 });
}

describe('merging the recordings of a real cluster', () => {
  it('cuts the step a killed process never saved, and TLC accepts the merged trace', async () => {
    const c = killedBetweenStepAndFsync();
    const merged = mergeNodeTraces(c.recordings());
    expect(merged.nodes.map((n) => [n.node, n.runs, n.cut])).toEqual([
      ['s1', 1, 0],
      ['s2', 2, 1],
      ['s3', 1, 0],
    ]);
    const verdict = await verdictOf(merged.lines);
    expect(verdict.kind).toBe('valid');
  });

  it('negative control: merged without the cut, TLC rejects it at the restart', async () => {
    const merged = mergeNodeTraces(killedBetweenStepAndFsync().recordings(), { cutUnsaved: false });
    const verdict = await verdictOf(merged.lines);
    expect(verdict.kind).toBe('rejected');
    if (verdict.kind !== 'rejected') return;
    expect(verdict.event.name).toBe('Restart');
    expect(verdict.event.node).toBe('s2');
  });

  it('orders every handled message after the step that sent it', () => {
    const merged = mergeNodeTraces(killedBetweenStepAndFsync().recordings());
    const sent = new Set<string>();
    for (const line of merged.lines.slice(1)) {
      const e = JSON.parse(line) as { action: { message?: unknown }; sent: { '#set': unknown[] } };
      if (e.action.message !== undefined) expect(sent.has(JSON.stringify(e.action.message))).toBe(true);
      for (const m of e.sent['#set']) sent.add(JSON.stringify(m));
    }
  });

  it('refuses a handled message nobody sent, naming the file, line and node', () => {
    const recordings = killedBetweenStepAndFsync().recordings();
    // s1's recording lost: the messages it sent were never recorded.
    expect(() => mergeNodeTraces(recordings.slice(1))).toThrow(TraceMergeError);
    expect(() => mergeNodeTraces(recordings.slice(1))).toThrow(/s2\.ndjson:\d+: s2's HandleRequestVoteRequest handles a message that no recorded step of the other nodes sent/);
  });

  it('refuses a restart from a state its previous run never recorded', () => {
    const [s1, s2, s3] = killedBetweenStepAndFsync().recordings() as [NodeRecording, NodeRecording, NodeRecording];
    const lines = s2.text.trimEnd().split('\n');
    const restart = lines.findIndex((l, i) => i > 1 && l.includes('"name":"Restart"'));
    // Remove every step between the election and the restart: the disk's term and vote were never recorded.
    const spoiled = [lines[0], lines[1], ...lines.slice(restart)].join('\n');
    expect(() => mergeNodeTraces([s1, { file: 's2.ndjson', text: spoiled }, s3])).toThrow(/s2\.ndjson:\d+: s2 restarted with a term, vote and log that its previous run never recorded/);
  });

  it('ignores a half-written last line (a process killed while writing), and says so', () => {
    const [s1, s2, s3] = killedBetweenStepAndFsync().recordings() as [NodeRecording, NodeRecording, NodeRecording];
    const merged = mergeNodeTraces([s1, s2, { file: 's3.ndjson', text: `${s3.text}{"seq":99,"atMs":` }]);
    expect(merged.nodes.find((n) => n.node === 's3')?.truncatedLine).toBe(true);
  });

  it('refuses two files of one node, and a file holding several nodes', () => {
    const [s1, s2] = killedBetweenStepAndFsync().recordings() as [NodeRecording, NodeRecording];
    expect(() => mergeNodeTraces([s1, { ...s1, file: 'copy.ndjson' }, s2])).toThrow(/copy\.ndjson and s1\.ndjson both hold the steps of s1/);
    const both = `${s1.text}${s2.text.split('\n').slice(1).join('\n')}`;
    expect(() => mergeNodeTraces([{ file: 'both.ndjson', text: both }])).toThrow(/both\.ndjson: holds the steps of several nodes \(s1, s2\)/);
  });
});
