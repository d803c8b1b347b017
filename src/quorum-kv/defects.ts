/**
 * Deliberately broken quorum stores, for negative controls: each breaks one rule of `specs/QuorumKV.tla`.
 *
 * @module
 */
import { type CoreRules, type KVCore, SPEC_RULES, makeCore } from './node.js';
import { newestLWW, versionSet } from './versions.js';

export interface KVDefect {
  /** The rule the defect breaks, in one sentence. */
  readonly breaks: string;
  readonly core: KVCore;
}

const broken = (rules: Partial<CoreRules>): KVCore => makeCore({ ...SPEC_RULES, ...rules });

/** The defective stores, by name (`npm run conformance -- --protocol quorum-kv --defect NAME`). */
export const KV_DEFECTS: Readonly<Record<string, KVDefect>> = {
  'lww-where-vv': {
    breaks: 'with version vectors a replica keeps every version no other descends from (concurrent writes as siblings), not the newest by clock',
    core: broken({ reconcile: (config, xs) => newestLWW(config.walk, xs) }),
  },
  'ack-short-of-w': {
    breaks: 'a coordinator acknowledges a write once W replicas, itself included, hold it',
    core: broken({ acked: (config, acks) => acks >= config.w - 1 }),
  },
  'read-skips-version-compare': {
    breaks: "a read reconciles each answer with what it has, so it returns and repairs only versions nothing supersedes",
    core: broken({ mergeAnswer: (config, result, answer) => versionSet([...result, ...answer], config.walk) }),
  },
};
