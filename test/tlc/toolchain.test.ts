import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, WorkbenchError } from '../../src/errors.js';
import { TLC_PIN } from '../../src/tlc/pin.js';
import { cachedJarPath, ensurePinnedJar, findJava, parseJavaMajor, resolveTlcJar, sha256File } from '../../src/tlc/toolchain.js';

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
    await expectEnvironmentError(findJava('/nonexistent/bin/java'), /Java was not found[\s\S]*Install a Java runtime >= 11/);
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
