/**
 * The deterministic simulator: the pure Raft core and the replicated KV service, each node in a node host
 * (`src/host/`), driven through a simulated network, disk and clock with seeded faults. See `simulator.ts`
 * for how the parts fit together and `arbitraries.ts` for the generators.
 *
 * @module
 */
export { Rng } from './rng.js';
export { EventQueue } from './queue.js';
export type { ClientPlan, ClientWorkload, Fault, FaultKind, LatencyModel, NetworkModel, NodeTarget, OpPlan, PartitionShape, Scenario } from './scenario.js';
export { LAN_LATENCY, SSD_WRITE } from './scenario.js';
export { describeLatency, latencySampler, meanLatency, sampleLatency } from './latency.js';
export type { Sampler } from './latency.js';
export { describeFault } from './faults.js';
export type { SimOptions } from './simulator.js';
export { DEFAULT_MAX_ELECTIONS_AFTER_HEAL, simulate } from './simulator.js';
export type { InvariantCheck, MonitorOptions } from './monitor.js';
export type { SimResult, SimStats, Violation } from './result.js';
export type { DurabilityCheck, DurabilityOptions, DurabilityViolation } from './durability.js';
export { DURABILITY_CHECKS, DurabilityMonitor } from './durability.js';
export type { RegressionSeed } from './regressions.js';
export { REGRESSION_SEEDS } from './regressions.js';
export type { ProfileName, ScenarioProfile } from './arbitraries.js';
export { clientPlan, clientWorkload, fault, faultSchedule, nodeTarget, PROFILE_NAMES, PROFILES, scenario, scenarioAt } from './arbitraries.js';
export type { PropertyOutcome, PropertyRun, PropertyTotals } from './property.js';
export { checkScenarios } from './property.js';
export { describeScenario, formatFailure, replayCommand } from './report.js';
export type { Provenance } from './report.js';
export { runSoak } from './soak.js';
export type { SoakOptions, SoakProgress, SoakResult } from './soak.js';
