// A node joining or leaving mid-run: the plan on the ring, the core's Reconfigure and Stream inputs, the
// simulator's transition (pending replica, stream rounds, the switch), and the negative controls: wrong
// transitions injected through the simulator's options, caught by the checkers at fixed seeds.
import { describe, expect, it } from 'vitest';
import { figuresOf, staleReads, violations } from '../../src/quorum-kv/checkers.js';
import { MEMBERSHIP_DEFECTS, type MembershipChange, type MembershipDefect, joinerName, membershipViolations, planMembership, strandedAckedWrites, streamComplete } from '../../src/quorum-kv/membership.js';
import { KV_CORE, freshNode } from '../../src/quorum-kv/node.js';
import { DEFAULT_SHAPE, DEFAULT_SIM, type KvSimOptions, type KvSimRun, RING_DELAY_MS, generateSchedule, kvSimCommand, runKvSim, simConfig, simMembers } from '../../src/quorum-kv/sim.js';
import type { KVConfig, KVNode, Message, StepResult, Version } from '../../src/quorum-kv/types.js';

const quorums = { n: 3, r: 2, w: 2, mode: 'CP', resolution: 'VV' } as const;
const five = simMembers(5);
const base: KvSimOptions = { ...DEFAULT_SIM, ...quorums, nodes: 5, seed: 1 };
const join = (atMs: number): MembershipChange => ({ kind: 'join', node: 'n6', atMs });
const leave = (node: string, atMs: number): MembershipChange => ({ kind: 'leave', node, atMs });

function stepped(result: StepResult): { node: KVNode; messages: readonly Message[]; replies: readonly unknown[] } {
  if (result.refused !== undefined) throw new Error(`refused: ${result.refused}`);
  return { node: result.node, messages: result.outputs.messages, replies: result.outputs.replies };
}

const everyViolation = (run: KvSimRun) => [...violations(run, figuresOf(run)), ...membershipViolations(run)];

describe('planning a membership change on the ring', () => {
  it('a join moves ranges only to the joiner; the key gets it as a home replica in place of the last one', () => {
    const plan = planMembership(five, quorums, join(10));
    expect(plan.moved.length).toBeGreaterThan(0);
    expect(plan.moved.every((r) => r.to === 'n6' && r.from !== 'n6')).toBe(true);
    expect(plan.movedShare).toBeGreaterThan(0.05);
    expect(plan.movedShare).toBeLessThan(0.35);
    expect(plan.entering).toEqual(['n6']);
    expect(plan.newHome).toContain('n6');
    expect(plan.leavingHome).toHaveLength(1);
    expect(plan.oldHome.filter((n) => n !== plan.leavingHome[0])).toEqual(plan.newHome.filter((n) => n !== 'n6'));
    // While streaming: the old walk with the joiner appended (never a home replica), and the joiner pending.
    expect(plan.during.walk.slice(0, 3)).toEqual(plan.before.walk.slice(0, 3));
    expect(plan.during.walk.at(-1)).toBe('n6');
    expect(plan.during.pending).toEqual(['n6']);
    expect(plan.after.pending).toBeUndefined();
  });

  it('a leave moves only the leaver\'s ranges; it stays at the end of the walk so its vector counters keep their meaning', () => {
    const leaver = planMembership(five, quorums, join(0)).before.walk[0]!;
    const plan = planMembership(five, quorums, leave(leaver, 10));
    expect(plan.moved.every((r) => r.from === leaver && r.to !== leaver)).toBe(true);
    expect(plan.leavingHome).toEqual([leaver]);
    expect(plan.after.walk.at(-1)).toBe(leaver);
    expect(plan.newHome).not.toContain(leaver);
    expect(plan.keyOwnerMoved).toBe(true);
  });

  it('refuses what a cluster cannot do, with the reason', () => {
    expect(() => planMembership(five, quorums, { kind: 'join', node: 'n2', atMs: 1 })).toThrow(/already a member/);
    expect(() => planMembership(five, quorums, leave('n9', 1))).toThrow(/not a member/);
    expect(() => planMembership(simMembers(3), quorums, leave('n1', 1))).toThrow(/2 nodes would be left for N = 3/);
    expect(() => planMembership(five, quorums, join(-1))).toThrow(/time >= 0/);
  });

  it('a stream round completes only when the replica leaving the home set streamed', () => {
    const plan = planMembership(five, quorums, join(0));
    const [x] = plan.leavingHome;
    const stays = plan.oldHome.filter((n) => n !== x);
    expect(streamComplete(plan, new Set(stays))).toBe(false);
    expect(streamComplete(plan, new Set([x!]))).toBe(true);
    // A join beyond the key's home replicas moves nothing of the key.
    const far = planMembership(simMembers(4), quorums, { kind: 'join', node: 'n5', atMs: 0 });
    expect(far.entering).toEqual([]);
    expect(streamComplete(far, new Set())).toBe(true);
  });
});

describe('the core during a membership change', () => {
  const before: KVConfig = { walk: ['a', 'b', 'c', 'd'], n: 3, r: 2, w: 2, mode: 'CP', resolution: 'VV' };
  const during: KVConfig = { ...before, walk: ['a', 'b', 'c', 'd', 'j'], pending: ['j'] };
  const after: KVConfig = { ...before, walk: ['a', 'j', 'b', 'c', 'd'] };
  const all = ['a', 'b', 'c', 'd', 'j'];

  it('a coordinator also writes to the pending replica, whose acknowledgement does not count toward W', () => {
    const write = stepped(KV_CORE.step(freshNode('a', during), { type: 'ClientWrite', value: 'v1', reachable: all }));
    expect(write.messages.map((m) => m.to).sort()).toEqual(['b', 'c', 'j']);
    const fromPending = stepped(KV_CORE.step(write.node, { type: 'Receive', message: { type: 'Ack', from: 'j', to: 'a', value: 'v1' } }));
    expect(fromPending.replies).toEqual([]);
    const fromHome = stepped(KV_CORE.step(fromPending.node, { type: 'Receive', message: { type: 'Ack', from: 'b', to: 'a', value: 'v1' } }));
    expect(fromHome.replies).toEqual([{ type: 'WriteAcked', value: 'v1', acks: ['a', 'b'] }]);
  });

  it('after the switch a pending acknowledgement counts, and one from a replica that left the home set does not', () => {
    const write = stepped(KV_CORE.step(freshNode('a', during), { type: 'ClientWrite', value: 'v1', reachable: all }));
    const acked = stepped(KV_CORE.step(write.node, { type: 'Receive', message: { type: 'Ack', from: 'j', to: 'a', value: 'v1' } }));
    // j becomes home: its acknowledgement now counts, and the write is acknowledged by the switch itself.
    const switched = stepped(KV_CORE.step(acked.node, { type: 'Reconfigure', config: after }));
    expect(switched.replies).toEqual([{ type: 'WriteAcked', value: 'v1', acks: ['a', 'j'] }]);
    // c left the home set (after: a j b): its late acknowledgement of another write does not count.
    const second = stepped(KV_CORE.step(switched.node, { type: 'ClientWrite', value: 'v2', reachable: all }));
    const late = stepped(KV_CORE.step(second.node, { type: 'Receive', message: { type: 'Ack', from: 'c', to: 'a', value: 'v2' } }));
    expect(late.replies).toEqual([]);
  });

  it('streams its store and hinted versions to a pending replica only; the pending replica keeps what it is streamed', () => {
    const v: Version = { value: 'v1', ts: 1, by: 'b', vv: { b: 1 } };
    const h: Version = { value: 'v2', ts: 1, by: 'c', vv: { c: 1 } };
    const d: KVNode = { ...freshNode('d', during), store: [v], hints: [{ for: 'c', version: h }] };
    expect(KV_CORE.step(d, { type: 'Stream', peer: 'b' }).refused).toMatch(/not a pending replica/);
    const stream = stepped(KV_CORE.step(d, { type: 'Stream', peer: 'j' }));
    expect(stream.messages).toEqual([{ type: 'Stream', from: 'd', to: 'j', versions: [v, h] }]);
    const j = stepped(KV_CORE.step(freshNode('j', during), { type: 'Receive', message: stream.messages[0]! }));
    expect(j.node.store.map((x) => x.value)).toEqual(['v1', 'v2']);
  });

  it('a hint kept for a replica that left the home set is for the one that took its place (kept by that one itself)', () => {
    const h: Version = { value: 'v3', ts: 1, by: 'a', vv: { a: 1 } };
    const fallback: KVNode = { ...freshNode('d', during), hints: [{ for: 'c', version: h }] };
    expect(stepped(KV_CORE.step(fallback, { type: 'Reconfigure', config: after })).node.hints).toEqual([{ for: 'j', version: h }]);
    const heir: KVNode = { ...freshNode('j', during), hints: [{ for: 'c', version: h }] };
    const adopted = stepped(KV_CORE.step(heir, { type: 'Reconfigure', config: after })).node;
    expect(adopted.hints).toEqual([]);
    expect(adopted.store).toEqual([h]);
  });

  it('refuses a reconfiguration that changes the quorums or leaves the node out', () => {
    expect(KV_CORE.step(freshNode('a', before), { type: 'Reconfigure', config: { ...after, w: 3 } }).refused).toMatch(/keeps the key's N, R, W/);
    expect(KV_CORE.step(freshNode('x', before), { type: 'Reconfigure', config: after }).refused).toMatch(/not in the key's new walk/);
  });
});

describe('the simulator moves the key\'s range before switching', () => {
  it('runs without a change are unchanged: no membership drawn unless asked, and no report', () => {
    const walk = simConfig(base).walk;
    const plain = generateSchedule(7, walk, 60);
    expect(plain.membership).toBeUndefined();
    expect(generateSchedule(7, walk, 60, { ...DEFAULT_SHAPE, membershipChance: 0 })).toEqual(plain);
    const drawn = generateSchedule(7, walk, 60, { ...DEFAULT_SHAPE, membershipChance: 1 }, 3);
    expect({ ...drawn, membership: undefined, clocks: plain.clocks }).toEqual({ ...plain, membership: undefined });
    expect(drawn.membership).not.toBeNull();
    expect(runKvSim(base).membership).toBeNull();
  });

  it('a join: the pending replica gets writes, the stream starts after the ring delay, then reads switch; equal options give equal runs', () => {
    const options = { ...base, seed: 3, membership: join(20) };
    const run = runKvSim(options);
    expect(JSON.stringify(runKvSim(options))).toBe(JSON.stringify(run));
    const m = run.membership!;
    expect(m.entering).toEqual(['n6']);
    expect(m.switchedAtMs).toBeGreaterThanOrEqual(20 + RING_DELAY_MS);
    expect(m.writesToPending).toBeGreaterThan(0);
    expect(m.streamsSent).toBeGreaterThan(0);
    expect(run.config.walk.slice(0, 3)).toEqual(m.newHome);
    // Every operation coordinated after the switch has a new home replica as coordinator.
    const after = run.history.filter((o) => o.call > m.switchedAtMs! && o.coordinator !== null);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((o) => m.newHome.includes(o.coordinator!))).toBe(true);
    expect(run.finalStores.n6!.length).toBeGreaterThan(0);
    expect(everyViolation(run)).toEqual([]);
  });

  it('a leave: the leaver streams to its successor, then stops serving and is gone from the final replicas', () => {
    const leaver = simConfig(base).walk[0]!;
    const run = runKvSim({ ...base, seed: 4, membership: leave(leaver, 20) });
    const m = run.membership!;
    expect(m.leavingHome).toEqual([leaver]);
    expect(m.leftAtMs).toBe(m.switchedAtMs);
    expect(Object.keys(run.finalStores)).not.toContain(leaver);
    expect(run.history.filter((o) => o.call > m.leftAtMs!).every((o) => o.coordinator !== leaver)).toBe(true);
    expect(everyViolation(run)).toEqual([]);
  });

  it('a stream the network loses, or that cannot reach the leaving replica, is retried until one gets through', () => {
    // The replica leaving the key's home set is down from before the change until 40 ms: no round can finish before.
    const x = planMembership(five, quorums, join(0)).leavingHome[0]!;
    const schedule = { partition: null, crashes: [{ node: x, atMs: 5, restartMs: 40 }], lossRate: 0.3, clocks: {} };
    const run = runKvSim({ ...base, seed: 5, schedule, membership: join(10) });
    const m = run.membership!;
    expect(m.streamRounds).toBeGreaterThan(5);
    expect(m.streamsUnreachable).toBeGreaterThan(0);
    expect(m.switchedAtMs).toBeGreaterThanOrEqual(40);
    expect(everyViolation(run)).toEqual([]);
  });

  it('kvSimCommand replays a run with a change', () => {
    expect(kvSimCommand({ ...base, membership: join(20) })).toContain('--join-at 20');
    expect(kvSimCommand({ ...base, membership: leave('n2', 25), membershipDefect: 'switch-before-stream' })).toContain('--leave n2 --leave-at 25 --membership-defect switch-before-stream');
    expect(joinerName(five)).toBe('n6');
  });
});

describe('negative controls: wrong transitions are caught at fixed seeds', () => {
  // Each: the same run with the correct transition keeps every property; with the defect the checkers name it.
  const cases: readonly { defect: MembershipDefect; seed: number; change: MembershipChange }[] = [
    { defect: 'switch-before-stream', seed: 15, change: join(30) },
    { defect: 'switch-before-stream', seed: 20, change: leave('n1', 30) },
    { defect: 'stream-from-any-replica', seed: 10, change: join(30) },
    { defect: 'stream-from-any-replica', seed: 20, change: leave('n1', 30) },
  ];
  for (const { defect, seed, change } of cases) {
    it(`${defect}, ${change.kind} at ${change.atMs} ms, seed ${seed}: a stale read (NoStaleRead)`, () => {
      const options = { ...base, seed, membership: change };
      expect(everyViolation(runKvSim(options))).toEqual([]);
      const wrong = runKvSim({ ...options, membershipDefect: defect });
      expect(staleReads(wrong).length).toBeGreaterThan(0);
      expect(everyViolation(wrong).join('\n')).toMatch(/^NoStaleRead: /);
    });
  }

  it('stream-from-any-replica, AP with W = 1, n2 leaves at 20 ms, seed 3: a write acknowledged only by the leaver is stranded', () => {
    // With W = 1 the leaver may be the only replica of a write: unless it streams, nobody the new walk reads has it.
    const options: KvSimOptions = { ...base, mode: 'AP', r: 1, w: 1, nodes: 4, seed: 3, membership: leave('n2', 20) };
    expect(everyViolation(runKvSim(options))).toEqual([]);
    const wrong = runKvSim({ ...options, membershipDefect: 'stream-from-any-replica' });
    expect(strandedAckedWrites(wrong).length).toBeGreaterThan(0);
    expect(everyViolation(wrong).join('\n')).toMatch(/NoStrandedAckedWrite: acknowledged v\d+/);
    expect(Object.keys(MEMBERSHIP_DEFECTS).sort()).toEqual(['stream-from-any-replica', 'switch-before-stream']);
  });
});
