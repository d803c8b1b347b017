import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, WorkbenchError } from '../../src/errors.js';
import { TLC_PIN } from '../../src/tlc/pin.js';
import { runCommand } from '../../src/cli/args.js';
import { setupTlc } from '../../src/cli/setup-tlc.js';
import { cachedJarPath, ensurePinnedJar, findJava, javaCommand, parseJavaMajor, resolveTlcJar, sha256File } from '../../src/tlc/toolchain.js';

async function expectEnvironmentError(promise: Promise<unknown>, message: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkbenchError);
  expect((error as WorkbenchError).exitCode).toBe(ExitCode.ENVIRONMENT);
  expect((error as WorkbenchError).format()).toMatch(message);
}

describe('Java', () => {
  it('parses modern and legacy version strings', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor('nonsense')).toBeUndefined();
  });

  it('finds the Java on this machine', async () => {
    expect((await findJava()).major).toBeGreaterThanOrEqual(11);
  });

  it('no Java: says so and how to install it', async () => {
    await expectEnvironmentError(findJava('/nonexistent/bin/java', {}), /Java was not found[\s\S]*Install a Java runtime >= 11/);
  });

  it('a JAVA_HOME without Java: names JAVA_HOME as the cause rather than suggesting it as the cure', async () => {
    const env = { JAVA_HOME: '/nonexistent' };
    await expectEnvironmentError(
      findJava(javaCommand(env), env),
      /^JAVA_HOME is \/nonexistent, but `\/nonexistent\/bin\/java -version` failed \(ENOENT\)\.\n {2}Point JAVA_HOME at a Java >= 11 installation .* or unset it/,
    );
  });

  it('npm install without Java: exit 3, the cause, and how to install without TLC', async () => {
    let stderr = '';
    const code = await runCommand('setup-tlc', (t) => (stderr += t), () =>
      setupTlc([], { stdout: () => {}, stderr: (t) => (stderr += t), env: { JAVA_HOME: '/nonexistent' }, signal: new AbortController().signal }),
    );
    expect(code).toBe(ExitCode.ENVIRONMENT);
    expect(stderr).toMatch(/^setup-tlc: JAVA_HOME is \/nonexistent/);
    expect(stderr).toContain('WORKBENCH_SKIP_TLC=1');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('Java too old: names the version found and the one needed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'old-java-'));
    const fake = join(dir, 'java');
    await writeFile(fake, '#!/bin/sh\necho \'java version "1.8.0_392"\' >&2\n');
    await chmod(fake, 0o755);
    await expectEnvironmentError(findJava(fake), /Java 8 is too old: TLC 2\.18 needs Java >= 11/);
  });
});

describe('the TLC jar', () => {
  it('the cached jar matches the pin', async () => {
    expect(await sha256File(cachedJarPath())).toBe(TLC_PIN.sha256);
  });

  it('a second install reuses the cache without fetching', async () => {
    expect(await ensurePinnedJar()).toBe('cached');
  });

  it('missing jar: says to run npm install', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'no-jar-'));
    await expectEnvironmentError(resolveTlcJar({}, empty), /TLC jar is missing[\s\S]*npm install/);
  });

  it('a jar whose checksum differs is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bad-jar-'));
    await writeFile(join(dir, `${TLC_PIN.artifactId}-${TLC_PIN.version}.jar`), 'not a jar');
    await expectEnvironmentError(resolveTlcJar({}, dir), /not the pinned fc0a7b69[\s\S]*refusing to run it/);
  });

  it('TLA2TOOLS_JAR overrides the pin, and must exist', async () => {
    const jar = cachedJarPath();
    expect(await resolveTlcJar({ TLA2TOOLS_JAR: jar })).toMatchObject({ jar, jarSource: 'override' });
    await expectEnvironmentError(resolveTlcJar({ TLA2TOOLS_JAR: '/nope/tla2tools.jar' }), /TLA2TOOLS_JAR points at \/nope\/tla2tools\.jar, which does not exist/);
  });
});
