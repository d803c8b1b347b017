/**
 * The protocols of the workbench. Adding one is a spec under `specs/`, a core folder under `src/`, a
 * definition under `src/definitions/<name>/`, and a line here (see "Add a protocol" in the README).
 * This is the only file outside a protocol's own folders that names a protocol.
 *
 * @module
 */
import { HASH_RING } from '../definitions/hash-ring/definition.js';
import { QUORUM_KV } from '../definitions/quorum-kv/definition.js';
import { QUORUM_SAFETY } from '../definitions/quorum-safety/definition.js';
import { RAFT } from '../definitions/raft/definition.js';
import { ExitCode, WorkbenchError } from '../errors.js';
import type { Protocol } from './protocol.js';

/** Every protocol, in the order reports list them. */
export const PROTOCOLS: readonly Protocol[] = [RAFT, QUORUM_SAFETY, HASH_RING, QUORUM_KV];

/** Picks protocols by name from `registry`; an unknown name is a usage error listing the known ones. */
export function selectProtocols(names: readonly string[], registry: readonly Protocol[] = PROTOCOLS): Protocol[] {
  const unknown = names.filter((n) => !registry.some((p) => p.name === n));
  if (unknown.length > 0) {
    throw new WorkbenchError(`No protocol named ${unknown.map((n) => `"${n}"`).join(', ')}.`, ExitCode.USAGE, `Known protocols: ${registry.map((p) => p.name).join(', ')}.`);
  }
  return names.length === 0 ? [...registry] : registry.filter((p) => names.includes(p.name));
}

/** The protocol whose traces name `spec` in `#meta.spec`. */
export function protocolForSpec(spec: string, registry: readonly Protocol[] = PROTOCOLS): Protocol | undefined {
  return registry.find((p) => p.spec === spec);
}
