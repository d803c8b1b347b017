/**
 * Pairs each TLA+ invariant with its TypeScript mirror (ARCHITECTURE.md section 6), through the
 * protocol definitions: the protocol whose spec modules hold the operator names the module that exports
 * its mirrors, and the mirror is the export of that module with exactly the operator's name.
 *
 * A name alone is not enough once two specs share one: `TypeOK` of `QuorumSafety.tla` must not be
 * paired with Raft's `TypeOK`. An operator defined in a model-checking harness `MC<Spec>.tla` belongs
 * to `<Spec>`'s protocol. A spec no protocol covers has no mirrors.
 *
 * @module
 */
import { resolve } from 'node:path';
import type { Protocol } from '../protocol/protocol.js';

/** An exported API symbol that could mirror an operator. */
export interface MirrorCandidate {
  readonly name: string;
  /** Absolute path of the file that declares it. */
  readonly file: string;
  /** 1-based line of the declaration, when known. */
  readonly line?: number;
  /** A TypeDoc declaration reference that resolves to it, for `{@link ...}` in the generated pages. */
  readonly declarationReference: string;
}

/** A same-named export that was passed over, and the protocol whose mirrors its file holds (if any). */
export interface RejectedMirror {
  readonly candidate: MirrorCandidate;
  readonly owner?: string;
}

/** The mirror of one operator, or why there is none. */
export type MirrorMatch =
  | { readonly status: 'found'; readonly mirror: MirrorCandidate; readonly protocol: string }
  | {
      readonly status: 'missing';
      /** The protocol that covers the operator's module (none: no protocol covers it). */
      readonly protocol?: string;
      readonly rejected: readonly RejectedMirror[];
    };

/** What the docs need of a protocol definition. */
export type MirrorSource = Pick<Protocol, 'name' | 'specModules' | 'mirrors'>;

/** Where mirrors are looked for. */
export interface MirrorContext {
  /** The repository root: a definition's mirror module is a path from it. */
  readonly root: string;
  readonly protocols: readonly MirrorSource[];
}

/** The protocol whose spec modules hold `module` (its model-checking harness `MC<Module>` included). */
export function protocolOfModule(module: string, protocols: readonly MirrorSource[]): MirrorSource | undefined {
  return protocols.find((p) => p.specModules.some((m) => m === module || `MC${m}` === module));
}

/** Finds the mirror of operator `name` defined in spec module `module` among the API's exports. */
export function matchMirror(
  operator: { readonly name: string; readonly module: string },
  candidates: readonly MirrorCandidate[],
  context: MirrorContext,
): MirrorMatch {
  const owner = protocolOfModule(operator.module, context.protocols);
  const fileOf = (p: MirrorSource) => resolve(context.root, p.mirrors);
  const named = candidates.filter((c) => c.name === operator.name);
  const mirror = owner === undefined ? undefined : named.find((c) => c.file === fileOf(owner));
  if (owner !== undefined && mirror !== undefined) return { status: 'found', mirror, protocol: owner.name };
  const rejected = named.map((candidate): RejectedMirror => {
    const of = context.protocols.find((p) => fileOf(p) === candidate.file);
    return of === undefined ? { candidate } : { candidate, owner: of.name };
  });
  return { status: 'missing', ...(owner !== undefined ? { protocol: owner.name } : {}), rejected };
}
