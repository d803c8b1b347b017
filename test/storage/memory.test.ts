import { describe, expect, it } from 'vitest';
import { RaftLog } from '../../src/raft/index.js';
import { applyPersistUpdate, INITIAL_PERSISTENT_STATE, MemoryStorage } from '../../src/storage/index.js';

describe('MemoryStorage', () => {
  it('starts empty and applies hard-state and log updates', async () => {
    const storage = new MemoryStorage();
    expect(await storage.load()).toEqual(INITIAL_PERSISTENT_STATE);
    await storage.save({ hardState: { currentTerm: 1, votedFor: 's1' }, logWrite: { fromIndex: 1, entries: [{ term: 1, value: 'a' }, { term: 1, value: 'b' }] } });
    await storage.save({ hardState: null, logWrite: { fromIndex: 2, entries: [{ term: 2, value: 'c' }] } });
    await storage.save({ hardState: { currentTerm: 2, votedFor: null }, logWrite: null });
    expect(await storage.load()).toEqual({
      hardState: { currentTerm: 2, votedFor: null },
      log: [{ term: 1, value: 'a' }, { term: 2, value: 'c' }],
    });
  });

  it('does not let callers alias its contents', async () => {
    const storage = new MemoryStorage({ hardState: { currentTerm: 1, votedFor: null }, log: RaftLog.from([{ term: 1, value: 'a' }]) });
    const loaded = await storage.load();
    (loaded.log.entry(1) as { term: number }).term = 9;
    expect((await storage.load()).log).toEqual([{ term: 1, value: 'a' }]);
  });

  it('rejects a log write that would leave a gap, keeping the old state', async () => {
    const storage = new MemoryStorage();
    await expect(storage.save({ hardState: null, logWrite: { fromIndex: 3, entries: [] } })).rejects.toThrow(/outside 1..1/);
    expect(await storage.load()).toEqual(INITIAL_PERSISTENT_STATE);
  });

  it('shares the update rule with every implementation', () => {
    expect(applyPersistUpdate(INITIAL_PERSISTENT_STATE, { hardState: null, logWrite: null })).toEqual(INITIAL_PERSISTENT_STATE);
  });
});
