/**
 * A cluster's configuration file: who the members are and where each listens.
 *
 * ```json
 * { "clusterId": "demo",
 *   "members": [ { "id": "s1", "peer": "127.0.0.1:7001", "client": "127.0.0.1:7101" }, ... ] }
 * ```
 *
 * A node listens on its own entry's `peer` (other nodes) and `client` (clients) addresses and dials every
 * other member's `peer` address. Only the cluster id and the member ids are the cluster's identity (the
 * hello and the data directory check them); addresses may differ from one node's file to another's, so a
 * test can route a link through a proxy by giving one node another port for a peer.
 *
 * @module
 */
import { dirname, resolve } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import { JsonSyntaxError, parseJson, readTextFile } from '../files/read.js';
import type { NodeId } from '../raft/index.js';
import { type ClusterIdentity, clusterIdProblem, clusterIdentity, nodeIdProblem } from './wire.js';

/** A TCP address. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/** One member of the configuration. */
export interface MemberConfig {
  readonly id: NodeId;
  /** Where the member takes connections from other members. */
  readonly peer: Address;
  /** Where the member takes clients (requests and status). */
  readonly client: Address;
}

/** A cluster's configuration. */
export interface ClusterConfig {
  readonly clusterId: string;
  /** In the file's order. */
  readonly members: readonly MemberConfig[];
}

/** The most members a configuration may list. */
export const MAX_MEMBERS = 64;

/** A configuration file that cannot be used: exit 4, naming the file and the field. */
export class ConfigError extends WorkbenchError {
  constructor(file: string, problem: string) {
    super(`Cluster configuration ${file}: ${problem}.`, ExitCode.SPEC_ERROR, 'A cluster configuration is JSON: {"clusterId": "demo", "members": [{"id": "s1", "peer": "127.0.0.1:7001", "client": "127.0.0.1:7101"}, ...]} (see the README, "npm run node").');
    this.name = 'ConfigError';
  }
}

/** `127.0.0.1:7001`. */
export function formatAddress(address: Address): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** Why `text` is not a `host:port` address with a port in 1..65535, or the address. */
export function parseAddress(text: string): Address | string {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  if (m === null) return `${JSON.stringify(text.slice(0, 80))} is not an address of the form host:port`;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return `the port of ${JSON.stringify(text)} is not in 1..65535`;
  return { host: (m[1] ?? m[2]) as string, port };
}

/** The cluster identity (id and sorted member ids) of a configuration. */
export function identityOf(config: ClusterConfig): ClusterIdentity {
  return clusterIdentity(config.clusterId, config.members.map((m) => m.id));
}

/** The member `id`, or `undefined`. */
export function memberOf(config: ClusterConfig, id: NodeId): MemberConfig | undefined {
  return config.members.find((m) => m.id === id);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyFields(value: Record<string, unknown>, allowed: readonly string[], at: string, fail: (problem: string) => never): void {
  const extra = Object.keys(value).filter((k) => !allowed.includes(k));
  if (extra.length > 0) fail(`${at} has an unknown field ${JSON.stringify(extra[0]?.slice(0, 40))} (known: ${allowed.join(', ')})`);
}

/** A configuration from parsed JSON; throws {@link ConfigError} naming `file` and the first problem. */
export function clusterConfigFromJson(json: unknown, file: string): ClusterConfig {
  const fail = (problem: string): never => {
    throw new ConfigError(file, problem);
  };
  if (!isRecord(json)) return fail('expected a JSON object with "clusterId" and "members"');
  onlyFields(json, ['clusterId', 'members'], 'the configuration', fail);
  const clusterId = json['clusterId'];
  if (typeof clusterId !== 'string') return fail('"clusterId" must be a string');
  const idProblem = clusterIdProblem(clusterId);
  if (idProblem !== null) fail(`"clusterId": ${idProblem}`);
  const rawMembers = json['members'];
  if (!Array.isArray(rawMembers) || rawMembers.length === 0) return fail('"members" must be a non-empty list');
  if (rawMembers.length > MAX_MEMBERS) fail(`"members" lists ${rawMembers.length} members, more than ${MAX_MEMBERS}`);
  const members = rawMembers.map((raw, i): MemberConfig => {
    const at = `members[${i}]`;
    if (!isRecord(raw)) return fail(`${at} must be an object with "id", "peer" and "client"`);
    onlyFields(raw, ['id', 'peer', 'client'], at, fail);
    const id = raw['id'];
    if (typeof id !== 'string') return fail(`${at}.id must be a string`);
    const problem = nodeIdProblem(id);
    if (problem !== null) fail(`${at}.id: ${problem}`);
    const address = (name: 'peer' | 'client'): Address => {
      const text = raw[name];
      if (typeof text !== 'string') return fail(`${at}.${name} must be a "host:port" string`);
      const parsed = parseAddress(text);
      return typeof parsed === 'string' ? fail(`${at}.${name}: ${parsed}`) : parsed;
    };
    return { id, peer: address('peer'), client: address('client') };
  });
  const ids = members.map((m) => m.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) fail(`member ${repeated} is listed twice`);
  const listens = members.flatMap((m) => [`${formatAddress(m.peer)}`, `${formatAddress(m.client)}`]);
  const shared = listens.find((a, i) => listens.indexOf(a) !== i);
  if (shared !== undefined) fail(`the address ${shared} is given twice; every member needs its own peer and client ports`);
  return { clusterId, members };
}

/** The configuration as its file holds it (2-space JSON, members in order). */
export function clusterConfigJson(config: ClusterConfig): string {
  const members = config.members.map((m) => ({ id: m.id, peer: formatAddress(m.peer), client: formatAddress(m.client) }));
  return `${JSON.stringify({ clusterId: config.clusterId, members }, null, 2)}\n`;
}

/** Reads and checks a configuration file (at most 1 MiB); a missing, unreadable or malformed file is a {@link ConfigError} (exit 4). */
export async function loadClusterConfig(path: string): Promise<ClusterConfig> {
  const text = await readTextFile(path, { maxBytes: 1024 * 1024, what: 'cluster configuration', exitCode: ExitCode.SPEC_ERROR });
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new ConfigError(path, e.message);
    throw e;
  }
  return clusterConfigFromJson(json, path);
}

/** Where a node keeps its data when not told: `<the config file's folder>/<id>`. */
export function defaultDataDir(configPath: string, id: NodeId): string {
  return resolve(dirname(configPath), id);
}
