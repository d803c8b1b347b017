/**
 * Quorum safety's models for the state-graph check (`npm run conformance:graph`), both run on
 * `specs/MCQuorumSafety.tla`, whose `ServerSymmetry` lets TLC keep one state per renaming class.
 *
 * @module
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../paths.js';
import type { GraphModel } from '../../protocol/definition.js';

const SPECS = join(REPO_ROOT, 'specs');
const MODULE = join(SPECS, 'MCQuorumSafety.tla');

/**
 * Three servers in CI, with the label in each state (the config has no `VIEW`), so a step that acts for
 * the wrong server is told apart; and five, check-spec's own model, opt-in. `MCQuorum5`'s `VIEW
 * StateView` leaves the label out: there an edge is known by its target class and action name.
 */
export const QUORUM_GRAPH_MODELS: readonly GraphModel[] = [
  {
    name: 'MCQuorumGraph3',
    module: MODULE,
    config: join(SPECS, 'traces', 'MCQuorumGraph3.cfg'),
    description: '3 servers, majority quorum, terms <= 3, network cuts; servers symmetric, the label in each state',
    symmetric: true,
    labelInState: true,
    tier: 'ci',
  },
  {
    name: 'MCQuorum5',
    module: MODULE,
    config: join(SPECS, 'MCQuorum5.cfg'),
    description: "check-spec's 5-server model: majority quorum, terms <= 2, network cuts; servers symmetric, no label in the view",
    symmetric: true,
    labelInState: false,
    tier: 'large',
  },
];
