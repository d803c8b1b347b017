/**
 * One Raft KV node as a real process: a {@link NodeHost} and its KV replica, with real time, a real disk
 * and real sockets around it.
 *
 * - **Disk.** Every write the host hands over is saved by `FileStorage` (atomic replace, fsync) before
 *   `host.writeDurable` is called, so the step's messages and answers leave only once it is on disk.
 *   Writes queued while a save is running are saved together by the next one (group commit) and then
 *   completed in order. A failed save stops the node at once ({@link NodeRuntime.failed}): nothing that
 *   depended on it has been said to anyone.
 * - **Network.** The node listens on its `peer` address for other members (each dials this node for its
 *   own messages; `handshake.ts` checks the hello) and on its `client` address for clients (`request` and
 *   `status` frames). It dials each peer's `peer` address ({@link PeerLink}): reconnect with backoff, and a
 *   message that cannot leave is dropped. A malformed or oversized frame closes its connection with a
 *   logged reason; nothing a connection sends can stop the node.
 * - **Time.** Election timeouts are drawn uniformly from a range, heartbeats have a fixed interval, and
 *   both run `clockRate` times real speed (a fast or slow clock, for clock-skew tests).
 * - **Clients.** A leader takes a request and answers `ok` once the entry is applied (retries with the same
 *   `(client, seq)` apply once: the state machine's sessions); a node that does not lead answers `redirect`
 *   at once (it did not take the request); a request not applied in time, or pending when the leader steps
 *   down, is answered `unavailable` (its fate is unknown).
 * - **Recording.** With a recorder, every step is recorded when it is taken, before its write is durable,
 *   including the `Restart` a process begins with. What a killed process recorded but never saved is
 *   trimmed when the traces are merged (`trace-merge.ts`).
 *
 * @module
 */
import { createServer, type Server, type Socket } from 'node:net';
import { match } from 'ts-pattern';
import { ExitCode, WorkbenchError } from '../errors.js';
import { KvReplica } from '../host/kv-replica.js';
import { NodeHost, type NodeEnvironment, type NodeObserver } from '../host/node-host.js';
import { NOOP } from '../kv/command.js';
import type { KvRequest, KvResponse } from '../kv/client.js';
import {
  DEFECTS,
  diffLog,
  type DefectName,
  type Input,
  type Message,
  type NodeId,
  type NodeState,
  type PersistUpdate,
  type StepResult,
  type Term,
} from '../raft/index.js';
import { applyPersistUpdate, type PersistentState } from '../storage/types.js';
import type { ItfJson } from '../trace/itf-value.js';
import { type ClusterConfig, type MemberConfig, formatAddress, identityOf, memberOf } from './config.js';
import { DataDir } from './data-dir.js';
import { type CloseReason, FramedSocket, formatCloseReason } from './framed-socket.js';
import { InboundSession, type LocalNode } from './handshake.js';
import { PeerLink } from './peer-link.js';
import { openStepRecording, type StepRecording, wallMs } from './step-recording.js';
import type { KvOutcome, NodeStatus, RequestFrame } from './wire.js';

/** How a node runs. */
export interface NodeRuntimeOptions {
  readonly config: ClusterConfig;
  readonly id: NodeId;
  readonly dataDir: string;
  /** Append this node's steps to this NDJSON file (`workbench-impl-trace/1`), or `null`. */
  readonly record: string | null;
  /** Election timeouts are drawn uniformly from `[min, max]` ms (of the node's clock). */
  readonly electionTimeoutMs: { readonly min: number; readonly max: number };
  readonly heartbeatMs: number;
  /** Node clock ms per real ms: 2 makes every timer fire twice as early. */
  readonly clockRate: number;
  /** A leader answers `unavailable` to a request not applied within this many real ms. */
  readonly requestTimeoutMs: number;
  /** A deliberately broken core (negative controls only). */
  readonly defect: DefectName | null;
  /** One human-readable line (no newline). */
  readonly log: (line: string) => void;
  /** One machine-readable event (the CLI prints it as a JSON line on stdout). */
  readonly emit: (event: NodeEvent) => void;
  /** How to reproduce the run, for the recording's header. */
  readonly source?: ItfJson;
}

/** The machine-readable events of a node (see the README, "npm run node"). */
export type NodeEvent =
  | {
      readonly event: 'ready';
      readonly id: NodeId;
      readonly pid: number;
      readonly peer: string;
      readonly client: string;
      readonly term: Term;
      readonly votedFor: NodeId | null;
      readonly logLength: number;
      readonly restarted: boolean;
      readonly clockRate: number;
      readonly defect: DefectName | null;
      readonly t: number;
    }
  | { readonly event: 'election'; readonly id: NodeId; readonly term: Term; readonly t: number }
  | { readonly event: 'leader'; readonly id: NodeId; readonly term: Term; readonly t: number }
  | { readonly event: 'stepped-down'; readonly id: NodeId; readonly term: Term; readonly role: string; readonly t: number }
  | { readonly event: 'stopped'; readonly id: NodeId; readonly reason: string; readonly t: number };

/** A client request waiting for its entry to be applied. */
interface PendingRequest {
  readonly seq: number;
  connection: FramedSocket;
  readonly timer: NodeJS.Timeout;
}

/** The most client connections a node keeps open at once; more are closed at once. */
const MAX_CLIENT_CONNECTIONS = 512;

/** The node process's moving parts; see the module comment. */
export class NodeRuntime implements NodeEnvironment, NodeObserver<KvRequest> {
  readonly id: NodeId;
  private readonly host: NodeHost<KvRequest>;
  private readonly members: readonly NodeId[];
  private readonly self: MemberConfig;
  private readonly local: LocalNode;
  private readonly links = new Map<NodeId, PeerLink>();
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private clientConnections = 0;
  private readonly pending = new Map<string, PendingRequest>();
  private replica: KvReplica | null = null;
  private electionTimer: NodeJS.Timeout | null = null;
  private readonly heartbeatTimers = new Set<NodeJS.Timeout>();
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private fatal: ((error: WorkbenchError) => void) | null = null;
  /** Resolves when the node must stop on its own (its disk failed). */
  readonly failed: Promise<WorkbenchError>;
  // Group commit: what is on disk, what waits for the next save, and the save running.
  private durable: PersistentState;
  private waitingWrites: { readonly update: PersistUpdate; readonly incarnation: number }[] = [];
  private saving: Promise<void> | null = null;
  private saveFailed = false;
  private recording: { readonly recording: StepRecording; close(): void } | null = null;
  /** Whether the ready line went out (a node that never was ready does not say it stopped). */
  private announced = false;
  private electionsStarted = 0;
  private leaderships = 0;

  private constructor(
    private readonly options: NodeRuntimeOptions,
    private readonly dir: DataDir,
  ) {
    this.id = options.id;
    const self = memberOf(options.config, options.id);
    if (self === undefined) throw new RangeError(`${options.id} is not a member`);
    this.self = self;
    const identity = identityOf(options.config);
    this.members = identity.members;
    this.local = { nodeId: options.id, cluster: identity };
    this.durable = dir.state;
    this.failed = new Promise((resolve) => (this.fatal = resolve));
    if (options.record !== null) this.openRecording(options.record);
    this.host = new NodeHost<KvRequest>({
      id: options.id,
      servers: this.members,
      environment: this,
      observer: this,
      electionEntry: NOOP,
      durable: dir.state,
      ...(options.defect === null ? {} : { stepFn: DEFECTS[options.defect].step }),
      service: () => {
        this.replica = new KvReplica({ servers: this.members, answer: (response) => this.answered(response) });
        return this.replica;
      },
    });
    for (const member of options.config.members) {
      if (member.id === options.id) continue;
      this.links.set(
        member.id,
        new PeerLink(this.local, member.id, member.peer, {
          up: (peer) => this.say(`link to ${peer} up`),
          down: (peer, reason) => this.say(`link to ${peer} down: ${reason}`),
        }),
      );
    }
  }

  /**
   * Opens the data directory, restores the node from it, listens on its two addresses and starts dialling
   * its peers. Throws a {@link WorkbenchError} when the directory is refused or an address cannot be used.
   */
  static async start(options: NodeRuntimeOptions): Promise<NodeRuntime> {
    const dir = await DataDir.open({ dir: options.dataDir, nodeId: options.id, cluster: identityOf(options.config) });
    let runtime: NodeRuntime | null = null;
    try {
      runtime = new NodeRuntime(options, dir);
      await runtime.listen();
      // Right after listening, before any connection is handled (those are later turns of the event loop).
      runtime.host.start();
      for (const link of runtime.links.values()) link.open();
      const state = runtime.host.state;
      runtime.announced = true;
      options.emit({
        event: 'ready',
        id: options.id,
        pid: process.pid,
        peer: formatAddress(runtime.self.peer),
        client: formatAddress(runtime.self.client),
        term: state.currentTerm,
        votedFor: state.votedFor,
        logLength: state.log.length,
        restarted: !dir.created,
        clockRate: options.clockRate,
        defect: options.defect,
        t: Date.now(),
      });
      return runtime;
    } catch (e) {
      if (runtime !== null) await runtime.stop('it could not start');
      else await dir.close();
      throw e;
    }
  }

  /** What the node says about itself. */
  status(): NodeStatus {
    const s = this.host.state;
    return {
      id: this.id,
      pid: process.pid,
      role: s.role,
      term: s.currentTerm,
      leader: s.role === 'Leader' ? this.id : s.leaderHint,
      votedFor: s.votedFor,
      commitIndex: s.commitIndex,
      lastApplied: this.replica?.stateMachine.appliedIndex ?? 0,
      logLength: s.log.length,
      electionsStarted: this.electionsStarted,
      leaderships: this.leaderships,
      clockRate: this.options.clockRate,
    };
  }

  /**
   * Stops the node: no more input, every connection closed, the saves already started waited for (so
   * nothing the node was told is lost to a clean stop), the recording and the data directory closed.
   */
  stop(reason: string): Promise<void> {
    this.stopped ??= this.shutdown(reason);
    return this.stopped;
  }

  private async shutdown(reason: string): Promise<void> {
    this.stopping = true;
    if (this.electionTimer !== null) clearTimeout(this.electionTimer);
    for (const timer of this.heartbeatTimers) clearTimeout(timer);
    this.heartbeatTimers.clear();
    for (const [client, request] of this.pending) this.answer(request.connection, client, request.seq, { type: 'unavailable', reason: `${this.id} is stopping` });
    this.pending.clear();
    for (const link of this.links.values()) link.close();
    for (const server of this.servers) server.close();
    for (const socket of this.sockets) socket.destroy();
    // Saves in flight complete (a later restart finds them), bounded so a hung disk cannot hold the stop.
    const deadline = Date.now() + 5000;
    while (this.saving !== null && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.saving, new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()))))]);
      clearTimeout(timer);
    }
    this.recording?.close();
    await this.dir.close();
    if (this.announced) this.options.emit({ event: 'stopped', id: this.id, reason, t: Date.now() });
  }

  // ---------------------------------------------------------------- listening

  private async listen(): Promise<void> {
    const peerServer = createServer((socket) => this.acceptPeer(socket));
    const clientServer = createServer((socket) => this.acceptClient(socket));
    this.servers.push(peerServer, clientServer);
    await listenOn(peerServer, this.self.peer, this.id, 'peer', this.options.config);
    await listenOn(clientServer, this.self.client, this.id, 'client', this.options.config);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private acceptPeer(socket: Socket): void {
    if (this.stopping) return void socket.destroy();
    this.track(socket);
    const session = new InboundSession(this.local);
    const who = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const framed: FramedSocket = new FramedSocket(
      socket,
      {
        frame: (frame) =>
          match(session.receive(frame))
            .with({ type: 'peer' }, () => undefined)
            .with({ type: 'raft' }, ({ message }) => {
              if (!this.stopping) this.host.receive(message);
            })
            .with({ type: 'request' }, { type: 'status' }, () => {
              this.say(`refused a client on the peer port (${who})`);
              framed.refuse(`this is ${this.id}'s peer port; clients go to ${formatAddress(this.self.client)}`);
            })
            .with({ type: 'refused-by-remote' }, ({ reason }) => framed.close(`the other end refused: ${reason}`))
            .with({ type: 'refuse' }, ({ reason }) => {
              this.say(`refused a connection from ${session.peer ?? who}: ${reason}`);
              framed.refuse(reason);
            })
            .exhaustive(),
        closed: (reason) => this.inboundClosed(session.peer ?? who, reason),
      },
      { members: this.members },
    );
  }

  private acceptClient(socket: Socket): void {
    if (this.stopping || this.clientConnections >= MAX_CLIENT_CONNECTIONS) return void socket.destroy();
    this.track(socket);
    this.clientConnections++;
    const who = `client ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const framed: FramedSocket = new FramedSocket(
      socket,
      {
        frame: (frame) =>
          match(frame)
            .with({ kind: 'request' }, (request) => this.clientRequest(framed, request))
            .with({ kind: 'status' }, () => void framed.send({ kind: 'status-reply', status: this.status() }))
            .with({ kind: 'refused' }, ({ reason }) => framed.close(`the client refused: ${reason}`))
            .with({ kind: 'hello' }, { kind: 'raft' }, ({ kind }) => {
              this.say(`refused a ${kind} frame on the client port (${who})`);
              framed.refuse(`this is ${this.id}'s client port; nodes dial its peer port ${formatAddress(this.self.peer)}`);
            })
            .with({ kind: 'response' }, { kind: 'status-reply' }, ({ kind }) => {
              this.say(`refused a ${kind} frame from ${who}`);
              framed.refuse(`a node takes requests and status questions, not a ${kind}`);
            })
            .exhaustive(),
        closed: (reason) => {
          this.clientConnections--;
          if (reason.type === 'protocol') this.say(`closed the connection of ${who}: ${formatCloseReason(reason)}`);
        },
      },
      { members: this.members },
    );
  }

  private inboundClosed(who: string, reason: CloseReason): void {
    if (reason.type === 'protocol') this.say(`closed the link from ${who}: ${formatCloseReason(reason)}`);
  }

  // ---------------------------------------------------------------- clients

  private clientRequest(connection: FramedSocket, request: RequestFrame): void {
    if (this.stopping) return this.answer(connection, request.client, request.seq, { type: 'unavailable', reason: `${this.id} is stopping` });
    const state = this.host.state;
    if (state.role !== 'Leader') return this.answer(connection, request.client, request.seq, this.redirect(state.leaderHint));
    const earlier = this.pending.get(request.client);
    if (earlier !== undefined) {
      clearTimeout(earlier.timer);
      // A newer request means the client gave up on the older one: nobody is waiting for its answer.
      if (earlier.seq !== request.seq) this.answer(earlier.connection, request.client, earlier.seq, { type: 'unavailable', reason: 'superseded by a newer request of the same client' });
    }
    const timer = setTimeout(() => {
      const waiting = this.pending.get(request.client);
      if (waiting === undefined || waiting.seq !== request.seq) return;
      this.pending.delete(request.client);
      this.answer(waiting.connection, request.client, request.seq, { type: 'unavailable', reason: `not applied within ${this.options.requestTimeoutMs} ms` });
    }, this.options.requestTimeoutMs);
    this.pending.set(request.client, { seq: request.seq, connection, timer });
    this.host.clientRequest({ client: request.client, seq: request.seq, attempt: request.attempt, op: request.op });
  }

  /** The KV replica answers: `ok` once applied, `not-leader` when the host could not take the request. */
  private answered(response: KvResponse): void {
    const waiting = this.pending.get(response.client);
    if (waiting === undefined || waiting.seq !== response.seq) return;
    clearTimeout(waiting.timer);
    this.pending.delete(response.client);
    const outcome: KvOutcome =
      response.type === 'ok' ? { type: 'ok', result: response.result } : this.redirect(response.leaderHint === null ? null : (this.members[response.leaderHint] ?? null));
    this.answer(waiting.connection, response.client, response.seq, outcome);
  }

  private redirect(leader: NodeId | null): KvOutcome {
    const member = leader === null ? undefined : memberOf(this.options.config, leader);
    return { type: 'redirect', leader: member?.id ?? null, address: member === undefined ? null : formatAddress(member.client) };
  }

  private answer(connection: FramedSocket, client: string, seq: number, outcome: KvOutcome): void {
    connection.send({ kind: 'response', client, seq, outcome });
  }

  // ---------------------------------------------------------------- the host's environment

  now(): number {
    return wallMs();
  }

  persist(update: PersistUpdate, incarnation: number): void {
    if (this.saveFailed) return;
    this.waitingWrites.push({ update, incarnation });
    if (this.saving === null) this.saveWaiting();
  }

  /** Saves every waiting write as one file replacement, then completes them in order. */
  private saveWaiting(): void {
    const batch = this.waitingWrites;
    this.waitingWrites = [];
    if (batch.length === 0) {
      this.saving = null;
      return;
    }
    const base = this.durable;
    let next = base;
    for (const write of batch) next = applyPersistUpdate(next, write.update);
    const hardState = batch.some((w) => w.update.hardState !== null) ? next.hardState : null;
    const combined: PersistUpdate = { hardState, logWrite: diffLog(base.log, next.log) };
    this.saving = this.dir.storage.save(combined).then(
      () => {
        this.durable = next;
        for (const write of batch) this.host.writeDurable(write.incarnation);
        this.saveWaiting();
      },
      (error: unknown) => {
        // No later write is saved after a failed one (FileStorage would refuse them too): the node stops.
        this.saving = null;
        this.saveFailed = true;
        this.waitingWrites = [];
        const detail = error instanceof Error ? error.message : String(error);
        this.say(`FATAL: could not save its state: ${detail}`);
        const fail = this.fatal;
        this.fatal = null;
        fail?.(
          new WorkbenchError(
            `${this.id} could not save its Raft state in ${this.dir.dir}: ${detail}`,
            ExitCode.ENVIRONMENT,
            'The node stopped before acting on the unsaved state (nothing it had not saved was acknowledged). Free disk space or fix permissions, then start it again on the same data directory.',
          ),
        );
      },
    );
  }

  send(message: Message): void {
    if (this.stopping) return;
    this.links.get(message.to)?.send(message);
  }

  armElectionTimer(): void {
    if (this.stopping) return;
    if (this.electionTimer !== null) clearTimeout(this.electionTimer);
    const { min, max } = this.options.electionTimeoutMs;
    const ms = (min + Math.random() * (max - min)) / this.options.clockRate;
    this.electionTimer = setTimeout(() => {
      this.electionTimer = null;
      if (!this.stopping) this.host.electionTimeout();
    }, ms);
  }

  armHeartbeatTimer(term: Term): void {
    if (this.stopping) return;
    const timer = setTimeout(() => {
      this.heartbeatTimers.delete(timer);
      if (!this.stopping) this.host.heartbeat(term);
    }, this.options.heartbeatMs / this.options.clockRate);
    this.heartbeatTimers.add(timer);
  }

  reset(): void {
    // A real node never crashes in-process: its process dies, and a new one starts from the disk.
  }

  // ---------------------------------------------------------------- the host's observer

  stepped(before: NodeState, result: StepResult, input: Input): void {
    this.recording?.recording.stepped(input, result);
    const after = result.state;
    if (before.role === 'Leader' && after.role !== 'Leader') this.steppedDown(after);
  }

  restarted(_before: NodeState, result: StepResult): void {
    this.recording?.recording.restarted(result);
    const s = result.state;
    this.say(`${this.dir.created ? 'started on a new data directory' : 'restarted from disk'}: term ${s.currentTerm}, vote ${s.votedFor ?? 'none'}, log length ${s.log.length}`);
  }

  electionStarted(state: NodeState): void {
    this.electionsStarted++;
    this.say(`election timeout: starts an election for term ${state.currentTerm}`);
    this.options.emit({ event: 'election', id: this.id, term: state.currentTerm, t: Date.now() });
  }

  becameLeader(state: NodeState): void {
    this.leaderships++;
    this.say(`became Leader of term ${state.currentTerm}`);
    this.options.emit({ event: 'leader', id: this.id, term: state.currentTerm, t: Date.now() });
  }

  private steppedDown(state: NodeState): void {
    this.say(`stepped down: ${state.role} of term ${state.currentTerm}`);
    this.options.emit({ event: 'stepped-down', id: this.id, term: state.currentTerm, role: state.role, t: Date.now() });
    // Their entries may still commit under the next leader, or not: the clients must retry to learn which.
    for (const [client, request] of this.pending) {
      clearTimeout(request.timer);
      this.answer(request.connection, client, request.seq, { type: 'unavailable', reason: `${this.id} stepped down before the request was applied; its outcome is unknown` });
    }
    this.pending.clear();
  }

  // ---------------------------------------------------------------- recording and logs

  private openRecording(path: string): void {
    try {
      this.recording = openStepRecording(path, this.id, this.members, this.options.source ?? { node: this.id });
    } catch (e) {
      throw new WorkbenchError(`Cannot open the recording ${path}: ${(e as Error).message}.`, ExitCode.ENVIRONMENT, 'Choose a writable place for --record.');
    }
  }

  private say(text: string): void {
    this.options.log(`${new Date().toISOString()} ${this.id} ${text}`);
  }
}

/** Listens on `address`; a busy or forbidden address is a {@link WorkbenchError} naming the node and the port. */
async function listenOn(server: Server, address: { host: string; port: number }, id: NodeId, which: 'peer' | 'client', config: ClusterConfig): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(error, address, id, which, config));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: address.host, port: address.port, exclusive: true });
  });
}

function listenError(error: NodeJS.ErrnoException, address: { host: string; port: number }, id: NodeId, which: 'peer' | 'client', config: ClusterConfig): WorkbenchError {
  const where = `${formatAddress(address)} (its ${which} address)`;
  const fix = `Stop whatever uses it, or give ${id} another ${which} port in the configuration of cluster ${config.clusterId}.`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new WorkbenchError(`${id} cannot listen on ${where}: the address is already in use.`, ExitCode.ENVIRONMENT, fix);
    case 'EACCES':
      return new WorkbenchError(`${id} cannot listen on ${where}: permission denied (ports below 1024 need privileges).`, ExitCode.ENVIRONMENT, fix);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new WorkbenchError(`${id} cannot listen on ${where}: that host is not an address of this machine.`, ExitCode.SPEC_ERROR, `Give ${id} an address of this machine (e.g. 127.0.0.1) in the configuration.`);
    default:
      return new WorkbenchError(`${id} cannot listen on ${where}: ${error.message}.`, ExitCode.ENVIRONMENT, fix);
  }
}
