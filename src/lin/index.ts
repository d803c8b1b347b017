/**
 * Linearizability checking for client histories: a Wing–Gong/Porcupine search with memoisation, every part
 * (key) of a history checked under state and time budgets, and a readable explanation of a failure,
 * reduced within a budget of its own.
 *
 * @module
 */
export type { HistoryEvent, Operation, OpStatus } from './history.js';
export { operationsFromEvents } from './history.js';
export type { Impossible, Model } from './model.js';
export { IMPOSSIBLE } from './model.js';
export type { Clock, GiveUpReason, RunOutcome, SearchBudget, SearchOptions, SearchResult } from './checker.js';
export { DEFAULT_MAX_EXPLORED, LinearizationSearch, searchLinearization, systemClock } from './checker.js';
export type { Part, PartOutcome, PartsOptions, PartsResult, PartVerdict } from './parts.js';
export { checkParts } from './parts.js';
export type { CheckOptions, ExplainOptions, Explanation, LinearizabilityResult } from './explain.js';
export { checkLinearizable, DEFAULT_EXPLAIN_MAX_EXPLORED, explainFailure } from './explain.js';
