/**
 * Pairs each TLA+ invariant with its TypeScript mirror (ARCHITECTURE.md section 6): an exported symbol of the
 * API with exactly the operator's name.
 *
 * A name alone is not enough once two specs share one: `TypeOK` of `QuorumSafety.tla` must not be paired
 * with Raft's `TypeOK` in `src/raft/`. So a protocol's TypeScript lives in the source folder named after
 * its spec module in lower case (`Raft.tla` — `src/raft/`), and a same-named export in the folder of
 * another spec is that spec's mirror, not this one's. Exports outside any spec's folder count for all.
 * An operator defined in a model-checking harness `MC<Spec>.tla` belongs to `<Spec>`'s folder.
 *
 * @module
 */
import { relative, sep } from 'node:path';

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

/** A candidate that was passed over, and the spec whose folder it is in. */
export interface RejectedMirror {
  readonly candidate: MirrorCandidate;
  readonly ownerModule: string;
}

/** The mirror of one operator, or why there is none. */
export type MirrorMatch =
  | { readonly status: 'found'; readonly mirror: MirrorCandidate }
  | { readonly status: 'missing'; readonly rejected: readonly RejectedMirror[] };

/** Where mirrors are looked for. */
export interface MirrorContext {
  /** The source root (`src/`): its first-level folders are the protocol folders. */
  readonly srcDir: string;
  /** Every spec module name under the specs folder (`Raft`, `QuorumSafety`, ...). */
  readonly specModules: readonly string[];
}

/** The spec module whose protocol folder holds `file`, if any. */
function ownerOf(file: string, context: MirrorContext): string | undefined {
  const path = relative(context.srcDir, file);
  const parts = path.split(sep);
  if (parts.length < 2 || parts[0] === '..') return undefined;
  const folder = (parts[0] as string).toLowerCase();
  return context.specModules.find((m) => m.toLowerCase() === folder);
}

/** Finds the mirror of operator `name` defined in spec module `module` among the API's exports. */
export function matchMirror(
  operator: { readonly name: string; readonly module: string },
  candidates: readonly MirrorCandidate[],
  context: MirrorContext,
): MirrorMatch {
  const named = candidates.filter((c) => c.name === operator.name);
  const own: MirrorCandidate[] = [];
  const shared: MirrorCandidate[] = [];
  const rejected: RejectedMirror[] = [];
  for (const candidate of named) {
    const owner = ownerOf(candidate.file, context);
    if (owner === undefined) shared.push(candidate);
    // A model-checking harness (`MCRaft.tla`) belongs to the spec it extends (`Raft.tla`).
    else if (owner === operator.module || `MC${owner}` === operator.module) own.push(candidate);
    else rejected.push({ candidate, ownerModule: owner });
  }
  const byPath = (a: MirrorCandidate, b: MirrorCandidate) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0);
  const best = [...own.sort(byPath), ...shared.sort(byPath)][0];
  return best !== undefined ? { status: 'found', mirror: best } : { status: 'missing', rejected };
}
