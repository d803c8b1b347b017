// The java command line of a TLC run: each run's standard modules stay in its own folder.
import { describe, expect, it } from 'vitest';
import { tlcCommand } from '../../src/tlc/run.js';
import type { TlcToolchain } from '../../src/tlc/toolchain.js';

const toolchain = { java: { command: '/usr/bin/java' }, jar: '/cache/tla2tools.jar' } as unknown as TlcToolchain;

describe('tlcCommand', () => {
  it('points java.io.tmpdir at the run\'s metadir: TLC copies TLC.tla, Naturals.tla ... there, and a shared /tmp lets two runs read each other\'s half-written copies', () => {
    const command = tlcCommand({ module: '/specs/MCRaft.tla', toolchain }, '/tmp/workbench-tlc-abc');
    expect(command[0]).toBe('/usr/bin/java');
    expect(command).toContain('-Djava.io.tmpdir=/tmp/workbench-tlc-abc');
    // A JVM option: before the class name.
    expect(command.indexOf('-Djava.io.tmpdir=/tmp/workbench-tlc-abc')).toBeLessThan(command.indexOf('tlc2.TLC'));
    expect(command.slice(command.indexOf('-metadir'), command.indexOf('-metadir') + 2)).toEqual(['-metadir', '/tmp/workbench-tlc-abc']);
  });
});
