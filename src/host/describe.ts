/**
 * One-line descriptions of a node's state and of a write, for event logs (the simulator's, a real
 * runtime's).
 *
 * @module
 */
import type { NodeState, PersistUpdate } from '../raft/index.js';

/** `Leader t3 vote=s1 log=4/t3 commit=2`. */
export function describeNodeState(state: NodeState): string {
  const vote = state.votedFor === null ? '' : ` vote=${state.votedFor}`;
  const last = state.log.length > 0 ? `/t${state.log.lastTerm}` : '';
  return `${state.role} t${state.currentTerm}${vote} log=${state.log.length}${last} commit=${state.commitIndex}`;
}

/** `term=3 vote=s1; log[4..5] = t3:a, t3:b`, or `log truncated to 2`. */
export function describePersistUpdate(update: PersistUpdate): string {
  const parts: string[] = [];
  if (update.hardState !== null) parts.push(`term=${update.hardState.currentTerm} vote=${update.hardState.votedFor ?? 'none'}`);
  const write = update.logWrite;
  if (write !== null) {
    const last = write.fromIndex + write.entries.length - 1;
    parts.push(
      write.entries.length === 0
        ? `log truncated to ${write.fromIndex - 1}`
        : `log[${write.fromIndex}${write.entries.length > 1 ? `..${last}` : ''}] = ${write.entries.map((e) => `t${e.term}:${e.value}`).join(', ')}`,
    );
  }
  return parts.join('; ');
}
