/**
 * Persistence for Raft nodes, outside the pure core: the `Storage` contract, an in-memory implementation
 * and a crash-safe file implementation.
 *
 * @module
 */
export type { PersistentState, Storage } from './types.js';
export { applyPersistUpdate, INITIAL_PERSISTENT_STATE } from './types.js';
export { MemoryStorage } from './memory.js';
export type { FileSystem, WritableFile } from './file.js';
export { FileStorage, nodeFileSystem, replaceFileAtomically } from './file.js';
export type { ChecksummedFormat } from './codec.js';
export { decodeState, encodeState, openChecksummed, sealChecksummed } from './codec.js';
export { StorageCorruptError, StorageFailedError, StorageIOError } from './errors.js';
