/**
 * Linearizability checking for client histories: a Wing–Gong/Porcupine search with memoisation, and a
 * minimal, readable explanation when a history is not linearizable.
 *
 * @module
 */
export type { HistoryEvent, Operation, OpStatus } from './history.js';
export { operationsFromEvents } from './history.js';
export type { Impossible, Model } from './model.js';
export { IMPOSSIBLE } from './model.js';
export type { SearchResult } from './checker.js';
export { DEFAULT_MAX_EXPLORED, searchLinearization } from './checker.js';
export type { CheckOptions, Explanation, LinearizabilityResult } from './explain.js';
export { checkLinearizable } from './explain.js';
