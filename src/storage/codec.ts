/**
 * The on-disk format of a node's durable state: one header line, then a JSON body.
 *
 * ```
 * raft-state v1 sha256=<64 hex digits> bytes=<body length>\n
 * {"currentTerm":3,"log":[{"term":1,"value":"v1"}],"votedFor":"s2"}
 * ```
 *
 * The checksum and length catch a torn or bit-rotted file, which the atomic rename should make impossible;
 * if it happens anyway the node must not start with a silently wrong term or vote.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { RaftLog, type LogEntry } from '../raft/index.js';
import { StorageCorruptError } from './errors.js';
import type { PersistentState } from './types.js';

/** A checksummed file format: `<magic> <version> sha256=<hex> bytes=<n>\n<body>`. */
export interface ChecksummedFormat {
  readonly magic: string;
  readonly version: string;
  /** What a file of this format is, for messages ("Raft state", "node metadata"). */
  readonly what: string;
}

const RAFT_STATE: ChecksummedFormat = { magic: 'raft-state', version: 'v1', what: 'Raft state' };

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `body` under a header line carrying the format, the body's sha256 and its length. */
export function sealChecksummed(format: ChecksummedFormat, body: Uint8Array): Uint8Array {
  const header = Buffer.from(`${format.magic} ${format.version} sha256=${sha256(body)} bytes=${body.length}\n`, 'utf8');
  return Buffer.concat([header, body]);
}

/**
 * The body of a file written by {@link sealChecksummed}, parsed as JSON; `corrupt` builds the error for a
 * problem (no header, another format or version, truncated or padded, checksum mismatch, bad JSON).
 */
export function openChecksummed<E extends Error>(bytes: Uint8Array, format: ChecksummedFormat, corrupt: (problem: string) => E): unknown {
  const buf = Buffer.from(bytes);
  const newline = buf.indexOf(0x0a);
  if (newline < 0) throw corrupt(`it has no header line (${buf.length} bytes, expected "${format.magic} ${format.version} ...")`);
  const header = buf.subarray(0, newline).toString('utf8');
  const m = /^(\S+) (v\d+) sha256=([0-9a-f]{64}) bytes=(\d+)$/.exec(header);
  if (m === null || m[1] !== format.magic) throw corrupt(`its header ${JSON.stringify(header.slice(0, 80))} is not a ${format.what} header`);
  const [, , version, checksum, length] = m;
  if (version !== format.version) throw corrupt(`it uses format ${version ?? '?'}, this build reads only ${format.version}`);
  const body = buf.subarray(newline + 1);
  if (body.length !== Number(length)) {
    throw corrupt(`it is truncated or padded: the header promises ${length} bytes of body, the file has ${body.length}`);
  }
  const actual = sha256(body);
  if (actual !== checksum) throw corrupt(`its checksum does not match its contents (header ${checksum}, content ${actual})`);
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (e) {
    throw corrupt(`its body is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Serialize a state to the file format. */
export function encodeState(state: PersistentState): Uint8Array {
  const body = Buffer.from(
    JSON.stringify({
      currentTerm: state.hardState.currentTerm,
      log: Array.from(state.log, (e) => ({ term: e.term, value: e.value })),
      votedFor: state.hardState.votedFor,
    }),
    'utf8',
  );
  return sealChecksummed(RAFT_STATE, body);
}

/**
 * Parse the file format. Throws `StorageCorruptError` saying what is wrong (unknown format, truncated,
 * checksum mismatch, bad JSON, wrong shape) for the file at `path`.
 */
export function decodeState(bytes: Uint8Array, path: string): PersistentState {
  const corrupt = (problem: string): StorageCorruptError => new StorageCorruptError(path, problem);
  return validate(openChecksummed(bytes, RAFT_STATE, corrupt), corrupt);
}

function validate(value: unknown, corrupt: (problem: string) => StorageCorruptError): PersistentState {
  if (value === null || typeof value !== 'object') throw corrupt('its body is not an object');
  const r = value as Record<string, unknown>;
  const term = r['currentTerm'];
  if (typeof term !== 'number' || !Number.isSafeInteger(term) || term < 0) {
    throw corrupt(`currentTerm is ${JSON.stringify(term)}, not a natural number`);
  }
  const vote = r['votedFor'];
  if (vote !== null && typeof vote !== 'string') throw corrupt(`votedFor is ${JSON.stringify(vote)}, not a node id or null`);
  const rawLog = r['log'];
  if (!Array.isArray(rawLog)) throw corrupt('log is not an array');
  const log: LogEntry[] = rawLog.map((e: unknown, i) => {
    const er = (e ?? {}) as Record<string, unknown>;
    const t = er['term'];
    const v = er['value'];
    if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0 || typeof v !== 'string') {
      throw corrupt(`log entry ${i + 1} is ${JSON.stringify(e)}, not {term, value}`);
    }
    return { term: t, value: v };
  });
  return { hardState: { currentTerm: term, votedFor: vote }, log: RaftLog.from(log) };
}
