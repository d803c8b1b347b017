/**
 * KV commands as Raft log values. The core treats a value as an opaque string, so a command is encoded in a
 * compact, readable form that shows up as-is in event logs and failure reports:
 *
 * ```
 * c1#3 put k0 c1.3        client c1, request 3: put k0 := "c1.3"
 * c2#1 get k1
 * c1#4 cas k0 c2.1 c1.4   compare-and-set k0 from "c2.1" to "c1.4" ("_" for "absent")
 * noop                    appended by a new leader (Raft section 8)
 * ```
 *
 * @module
 */
import { match } from 'ts-pattern';
import { unreachable } from '../exhaustive.js';

/** A client-visible operation. `expected: null` in `cas` means "the key is absent". */
export type KvOp =
  | { readonly type: 'put'; readonly key: string; readonly value: string }
  | { readonly type: 'get'; readonly key: string }
  | { readonly type: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string };

/** What an operation returned. */
export type KvResult =
  | { readonly type: 'put' }
  | { readonly type: 'get'; readonly value: string | null }
  | { readonly type: 'cas'; readonly ok: boolean };

/**
 * An operation tagged with its client and request number. The pair `(client, seq)` is the request id: a
 * retry carries the same id, so the state machine can recognise it and apply the operation once.
 */
export interface KvCommand {
  readonly client: string;
  readonly seq: number;
  readonly op: KvOp;
}

/** The value a new leader appends so that entries of older terms get committed under one of its own. */
export const NOOP = 'noop';

const TOKEN = /^[A-Za-z0-9.:-]+$/;
const ABSENT = '_';

function token(what: string, s: string): string {
  if (!TOKEN.test(s)) throw new RangeError(`${what} ${JSON.stringify(s)} must match ${TOKEN} (it is written into log values)`);
  return s;
}

/** Encode a command as a log value. Throws `RangeError` for a key, value or client id that is not a plain token. */
export function encodeCommand(c: KvCommand): string {
  const head = `${token('client id', c.client)}#${c.seq}`;
  const op = c.op;
  // A switch, not ts-pattern: the simulator encodes every client request (see src/exhaustive.ts).
  switch (op.type) {
    case 'put':
      return `${head} put ${token('key', op.key)} ${token('value', op.value)}`;
    case 'get':
      return `${head} get ${token('key', op.key)}`;
    case 'cas':
      return `${head} cas ${token('key', op.key)} ${op.expected === null ? ABSENT : token('expected value', op.expected)} ${token('value', op.value)}`;
    default:
      return unreachable(op, 'KV operation');
  }
}

/** Decode a log value: a command, `null` for the leader's no-op, or `undefined` for anything unparseable. */
export function decodeCommand(value: string): KvCommand | null | undefined {
  if (value === NOOP) return null;
  const parts = value.split(' ');
  const [id, type, key, a, b] = parts;
  const hash = id?.indexOf('#') ?? -1;
  if (id === undefined || hash <= 0 || key === undefined) return undefined;
  const client = id.slice(0, hash);
  const seq = Number(id.slice(hash + 1));
  if (!Number.isSafeInteger(seq)) return undefined;
  if (type === 'put' && a !== undefined && parts.length === 4) return { client, seq, op: { type, key, value: a } };
  if (type === 'get' && parts.length === 3) return { client, seq, op: { type, key } };
  if (type === 'cas' && a !== undefined && b !== undefined && parts.length === 5) {
    return { client, seq, op: { type, key, expected: a === ABSENT ? null : a, value: b } };
  }
  return undefined;
}

/**
 * A `decodeCommand` that remembers what it decoded. Every replica of a cluster decodes the same committed
 * values, so the simulator gives its replicas one shared decoder and each value is parsed once.
 */
export function sharedDecoder(): (value: string) => KvCommand | null | undefined {
  const known = new Map<string, KvCommand | null | undefined>();
  return (value) => {
    if (known.has(value)) return known.get(value);
    const command = decodeCommand(value);
    known.set(value, command);
    return command;
  };
}

/** `put(k0, c1.3)`, `get(k1)`, `cas(k0, c2.1 -> c1.4)`. */
export function formatOp(op: KvOp): string {
  return match(op)
    .with({ type: 'put' }, (o) => `put(${o.key}, ${o.value})`)
    .with({ type: 'get' }, (o) => `get(${o.key})`)
    .with({ type: 'cas' }, (o) => `cas(${o.key}, ${o.expected ?? 'absent'} -> ${o.value})`)
    .exhaustive();
}

/** `ok`, `-> c1.3`, `-> absent`, `-> true`. */
export function formatResult(r: KvResult): string {
  return match(r)
    .with({ type: 'put' }, () => 'ok')
    .with({ type: 'get' }, (x) => `-> ${x.value ?? 'absent'}`)
    .with({ type: 'cas' }, (x) => `-> ${x.ok}`)
    .exhaustive();
}
