// Shared set-up for tests that run the real TLC.
import { join } from 'node:path';
import { type TlcRunOptions, runTlc } from '../../src/tlc/run.js';
import { type TlcToolchain, resolveToolchain } from '../../src/tlc/toolchain.js';

export const FIXTURE_SPECS = join(import.meta.dirname, '..', 'fixtures', 'specs');
export const SPECS = join(import.meta.dirname, '..', '..', 'specs');

let toolchain: Promise<TlcToolchain> | undefined;
/** The checked toolchain, resolved once per test file. */
export function tlcToolchain(): Promise<TlcToolchain> {
  toolchain ??= resolveToolchain();
  return toolchain;
}

/** Runs a fixture model: `module` and `config` are file names in test/fixtures/specs. */
export async function runFixture(module: string, config: string, options: Partial<TlcRunOptions> = {}) {
  return runTlc({
    module: join(FIXTURE_SPECS, module),
    config: join(FIXTURE_SPECS, config),
    toolchain: await tlcToolchain(),
    workers: 1,
    ...options,
  });
}
