/**
 * Cluster configuration. The pure core reads only `servers` (through the node state); the timing fields are
 * for drivers, which own the clock: the core never sees a millisecond. Keeping them here anyway puts every
 * Raft knob in one place.
 *
 * @module
 */
import { normalizeServers } from './state.js';
import type { NodeId } from './types.js';

/** Raft settings for one cluster. */
export interface RaftConfig {
  /** Every member's id (the spec's `Server`). */
  readonly servers: readonly NodeId[];
  /**
   * Drivers only: each follower or candidate waits a fresh uniformly random time in `[min, max)` before
   * firing `Timeout`, so that split votes resolve quickly. Must exceed the heartbeat interval.
   */
  readonly electionTimeoutMs: { readonly min: number; readonly max: number };
  /** Drivers only: how often a leader fires `AppendEntries` to every peer when it has nothing new to send. */
  readonly heartbeatIntervalMs: number;
}

/** The paper's suggested election timeout range (150–300 ms). */
export const DEFAULT_ELECTION_TIMEOUT_MS = { min: 150, max: 300 } as const;

/** Well under the minimum election timeout, so one lost heartbeat does not trigger an election. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 50;

/** A config for `servers` with the default timings. */
export function defaultConfig(servers: readonly NodeId[]): RaftConfig {
  return validateConfig({
    servers,
    electionTimeoutMs: DEFAULT_ELECTION_TIMEOUT_MS,
    heartbeatIntervalMs: DEFAULT_HEARTBEAT_INTERVAL_MS,
  });
}

/** Thrown by `validateConfig`; the message says which setting is wrong and what would be accepted. */
export class RaftConfigError extends Error {
  /** @param message what is wrong and how to fix it. */
  constructor(message: string) {
    super(message);
    this.name = 'RaftConfigError';
  }
}

/**
 * Check a config and return it with `servers` sorted and de-duplicated. Throws `RaftConfigError` for an
 * empty or duplicated member list, a bad timeout range, or a heartbeat not shorter than the minimum
 * election timeout (which would make followers time out on a healthy leader).
 */
export function validateConfig(config: RaftConfig): RaftConfig {
  const servers = normalizeServers(config.servers);
  if (servers.length === 0) throw new RaftConfigError('servers is empty: list at least one member id');
  if (servers.length !== config.servers.length) {
    throw new RaftConfigError(`servers [${config.servers.join(', ')}] has duplicates: list each member once`);
  }
  if (servers.some((s) => s.length === 0)) throw new RaftConfigError('servers contains an empty id');
  const { min, max } = config.electionTimeoutMs;
  if (!(Number.isFinite(min) && Number.isFinite(max) && min > 0 && max > min)) {
    throw new RaftConfigError(
      `electionTimeoutMs {min: ${min}, max: ${max}} is invalid: need 0 < min < max (default 150–300)`,
    );
  }
  if (!(Number.isFinite(config.heartbeatIntervalMs) && config.heartbeatIntervalMs > 0 && config.heartbeatIntervalMs < min)) {
    throw new RaftConfigError(
      `heartbeatIntervalMs ${config.heartbeatIntervalMs} is invalid: need 0 < heartbeat < electionTimeoutMs.min (${min})`,
    );
  }
  return { ...config, servers };
}
