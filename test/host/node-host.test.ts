/**
 * The node host on its own, in a fake environment that does nothing until the test says so: what it holds
 * back until a write is durable, what a crash keeps and loses, what it records, and how it hands client
 * requests to its service.
 */
import { describe, expect, it } from 'vitest';
import { NodeHost } from '../../src/host/node-host.js';
import { RaftLog, step, type StepFn } from '../../src/raft/index.js';
import { FakeCluster, FakeEnvironment, FakeReplica } from './helpers.js';

describe('the Ready discipline: nothing leaves before the write it depends on is durable', () => {
  it("a candidate's vote requests wait for its new term and self-vote to be durable", () => {
    const cluster = new FakeCluster();
    const s1 = cluster.node('s1');
    s1.host.electionTimeout();
    expect(s1.host.state).toMatchObject({ role: 'Candidate', currentTerm: 1, votedFor: 's1' });
    expect(s1.environment.writes.map((w) => w.update.hardState)).toEqual([{ currentTerm: 1, votedFor: 's1' }]);
    expect(s1.environment.takeSent()).toEqual([]);
    cluster.completeWrites('s1');
    expect(s1.environment.takeSent()).toEqual(['RequestVoteRequest->s2', 'RequestVoteRequest->s3']);
    expect(s1.host.durable.hardState).toEqual({ currentTerm: 1, votedFor: 's1' });
  });

  it("a step that writes nothing waits behind an earlier write: a new leader's AppendEntries follow its election entry", () => {
    const cluster = new FakeCluster(['s1', 's2', 's3'], { electionEntry: 'noop' });
    const s1 = cluster.node('s1');
    s1.host.electionTimeout();
    cluster.completeWrites('s1');
    cluster.deliverFrom('s1');
    cluster.completeWrites('s2');
    cluster.deliverFrom('s2'); // s2's vote makes s1 leader
    expect(s1.host.state.role).toBe('Leader');
    expect(s1.host.state.log.length).toBe(1);
    expect(s1.environment.heartbeatsArmed).toEqual([1]);
    // BecomeLeader and the AppendEntries steps write nothing, but come after the entry's write.
    expect(s1.host.writesInFlight).toBe(1);
    expect(s1.environment.takeSent()).toEqual([]);
    cluster.completeWrites('s1');
    const sent = s1.environment.sent.splice(0);
    expect(sent.map((m) => (m.type === 'AppendEntriesRequest' ? `${m.to}:${m.entries.map((e) => e.value).join()}` : m.type))).toEqual(['s2:noop', 's3:noop']);
  });

  it('a completion of an older incarnation is ignored', () => {
    const cluster = new FakeCluster();
    const s1 = cluster.node('s1');
    s1.host.electionTimeout();
    const stale = s1.environment.writes[0]!;
    s1.host.crash();
    s1.host.restart();
    s1.host.writeDurable(stale.incarnation);
    expect(s1.host.durable.hardState).toEqual({ currentTerm: 0, votedFor: null });
    expect(s1.environment.takeSent()).toEqual([]);
  });
});

describe('crash and restart', () => {
  /** s1 leads term 1 with its election entry on every disk, then takes request `x` (not yet durable). */
  function leaderWithWriteInFlight(): { cluster: FakeCluster; s1: ReturnType<FakeCluster['node']> } {
    const cluster = new FakeCluster(['s1', 's2', 's3'], { electionEntry: 'noop' });
    const s1 = cluster.elect('s1');
    s1.host.clientRequest('x');
    expect(s1.host.state.log.length).toBe(2);
    expect(s1.host.writesInFlight).toBe(1);
    return { cluster, s1 };
  }

  it('a crash drops the writes not yet durable; the node comes back with exactly what is durable', () => {
    const { s1 } = leaderWithWriteInFlight();
    const sentBefore = s1.environment.sent.length;
    s1.host.crash();
    expect(s1.host.up).toBe(false);
    expect(s1.host.incarnation).toBe(1);
    expect(s1.environment.resets).toBe(1);
    expect(s1.host.writesInFlight).toBe(0);
    expect(s1.host.durable).toEqual({ hardState: { currentTerm: 1, votedFor: 's1' }, log: RaftLog.from([{ term: 1, value: 'noop' }]) });
    // Down, it is the spec's Restart of its disk: a follower of its durable term, vote and log, nothing committed.
    expect(s1.host.state).toMatchObject({ role: 'Follower', currentTerm: 1, votedFor: 's1', commitIndex: 0, log: RaftLog.from([{ term: 1, value: 'noop' }]) });
    s1.host.receive({ type: 'AppendEntriesResponse', term: 1, from: 's2', to: 's1', success: true, matchIndex: 1 });
    s1.host.clientRequest('y');
    expect(s1.environment.sent.length).toBe(sentBefore);
    expect(s1.replicas.at(-1)!.events.filter((e) => e.kind === 'answered')).toEqual([]);
    const timersBefore = s1.environment.electionTimersArmed;
    s1.host.restart();
    expect(s1.host.up).toBe(true);
    expect(s1.host.state).toMatchObject({ role: 'Follower', currentTerm: 1, votedFor: 's1', log: RaftLog.from([{ term: 1, value: 'noop' }]) });
    expect(s1.environment.electionTimersArmed).toBe(timersBefore + 1);
    expect(s1.replicas).toHaveLength(2);
  });

  it('a crash that lets the write in flight land keeps the entry, but nothing that depended on it was sent', () => {
    const { s1 } = leaderWithWriteInFlight();
    const carriedX = (): boolean => s1.environment.sent.some((m) => m.type === 'AppendEntriesRequest' && m.entries.some((e) => e.value === 'x'));
    s1.host.heartbeat(1); // an AppendEntries carrying x to each peer, held behind the write
    expect(carriedX()).toBe(false);
    s1.host.crash(true);
    expect(s1.host.durable.log).toEqual(RaftLog.from([{ term: 1, value: 'noop' }, { term: 1, value: 'x' }]));
    expect(s1.host.state.log.length).toBe(2);
    expect(carriedX()).toBe(false);
  });

  it('a host built from a disk starts down, and start() takes the Restart step from it', () => {
    const environment = new FakeEnvironment();
    const log = RaftLog.from([{ term: 2, value: 'a' }]);
    const host = new NodeHost<string>({
      id: 's2',
      servers: ['s1', 's2', 's3'],
      environment,
      service: () => new FakeReplica(),
      durable: { hardState: { currentTerm: 3, votedFor: 's1' }, log },
    });
    expect(host.up).toBe(false);
    host.start();
    expect(host.up).toBe(true);
    expect(host.state).toMatchObject({ role: 'Follower', currentTerm: 3, votedFor: 's1', log });
    expect(environment.electionTimersArmed).toBe(1);
  });
});

describe('recording', () => {
  it('records a step once it is durable, and its messages leave only then', () => {
    const cluster = new FakeCluster(['s1', 's2', 's3'], { electionEntry: 'noop' });
    cluster.elect('s1');
    cluster.recorded.length = 0;
    const s1 = cluster.node('s1');
    s1.host.clientRequest('x'); // and sends x to the peers that were caught up: both
    expect(cluster.recorded).toEqual([]);
    expect(s1.environment.takeSent()).toEqual([]);
    cluster.completeWrites('s1');
    expect(cluster.recorded.map((e) => (e.kind === 'step' ? e.label.name : e.kind))).toEqual(['ClientRequest', 'AppendEntries', 'AppendEntries']);
    expect(s1.environment.takeSent()).toEqual(['AppendEntriesRequest->s2', 'AppendEntriesRequest->s3']);
  });

  it("a crash throws away the steps behind its lost writes, and records the messages they consumed as lost", () => {
    const cluster = new FakeCluster(['s1', 's2', 's3'], { electionEntry: 'noop' });
    const s1 = cluster.elect('s1');
    s1.host.clientRequest('x');
    s1.host.heartbeat(1);
    cluster.completeWrites('s1');
    cluster.recorded.length = 0;
    const s2 = cluster.node('s2');
    const [toS2] = s1.environment.sent.filter((m) => m.to === 's2');
    s2.host.receive(toS2!); // s2 appends x: a write, held
    expect(s2.host.writesInFlight).toBe(1);
    s2.host.crash();
    expect(cluster.recorded.map((e) => (e.kind === 'step' ? `${e.label.name} ${e.node}` : `${e.label.name}: ${e.why}`))).toEqual([
      'DropMessage: consumed by s2, which crashed before its step was durable',
      'Restart s2',
    ]);
    expect(s2.environment.takeSent()).toEqual([]);
  });

  it('records a message the core refuses as dropped', () => {
    const cluster = new FakeCluster();
    cluster.node('s2').host.receive({ type: 'AppendEntriesResponse', term: 0, from: 's1', to: 's3', success: true, matchIndex: 0 });
    expect(cluster.recorded).toEqual([expect.objectContaining({ kind: 'network', why: 's2 refused it' })]);
  });
});

describe('timers', () => {
  it('an election timeout on a leader only rearms the timer; a stale heartbeat sends nothing', () => {
    const cluster = new FakeCluster();
    const s1 = cluster.elect('s1');
    const armed = s1.environment.electionTimersArmed;
    s1.host.electionTimeout();
    expect(s1.environment.electionTimersArmed).toBe(armed + 1);
    expect(s1.host.state).toMatchObject({ role: 'Leader', currentTerm: 1 });
    s1.host.heartbeat(0);
    expect(s1.environment.takeSent()).toEqual([]);
    s1.host.heartbeat(1);
    expect(s1.environment.takeSent()).toEqual(['AppendEntriesRequest->s2', 'AppendEntriesRequest->s3']);
    expect(s1.environment.heartbeatsArmed).toEqual([1, 1]);
  });
});

describe('the service', () => {
  it('a leader answers a request once its entry is applied, exactly once; a follower redirects to the leader', () => {
    const cluster = new FakeCluster();
    const s1 = cluster.elect('s1');
    s1.host.clientRequest('x');
    const answers = (replica: FakeReplica): unknown[] => replica.events.filter((e) => e.kind === 'answered');
    expect(answers(s1.replicas[0]!)).toEqual([]);
    cluster.settle();
    expect(answers(s1.replicas[0]!)).toEqual([{ kind: 'answered', request: 'x' }]);
    expect(s1.replicas[0]!.events.filter((e) => e.kind === 'applied').map((e) => e.kind === 'applied' && e.entry.value)).toEqual(['x']);
    const s2 = cluster.node('s2');
    s2.host.clientRequest('y');
    expect(answers(s2.replicas[0]!)).toEqual([{ kind: 'answered', request: 'y', leaderHint: 's1' }]);
  });

  it('takes every step through the injected step function', () => {
    const inputs: string[] = [];
    const counting: StepFn = (state, input) => {
      inputs.push(input.type);
      return step(state, input);
    };
    const cluster = new FakeCluster(['s1', 's2', 's3'], { stepFn: counting });
    cluster.elect('s1');
    // A candidate is offered BecomeLeader after each of its steps, and the core refuses it until it has a majority.
    expect(inputs.slice(0, 4)).toEqual(['Timeout', 'BecomeLeader', 'HandleRequestVoteRequest', 'HandleRequestVoteRequest']);
    expect(inputs.filter((i) => i === 'BecomeLeader')).toHaveLength(2);
  });
});
