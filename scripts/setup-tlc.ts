#!/usr/bin/env tsx
// Runs on `npm install` (postinstall): checks Java and puts the pinned TLC jar in .cache/tlc/.
// Logic lives in src/tlc/toolchain.ts. Set WORKBENCH_SKIP_TLC=1 to skip (library-only use).
import { runCommand } from '../src/cli/args.js';
import { ExitCode } from '../src/errors.js';
import { TLC_ARTIFACT, TLC_PIN } from '../src/tlc/pin.js';
import { cachedJarPath, ensurePinnedJar, findJava, javaCommand, resolveTlcJar } from '../src/tlc/toolchain.js';

const say = (line: string) => process.stderr.write(`setup-tlc: ${line}\n`);

process.exitCode = await runCommand('setup-tlc', (text) => process.stderr.write(text), async () => {
  if (process.env.WORKBENCH_SKIP_TLC === '1') {
    say('skipped (WORKBENCH_SKIP_TLC=1); check-spec will not run until the jar is fetched.');
  } else {
    const java = await findJava(javaCommand());
    say(`Java ${java.major} found (${java.version}).`);
    if (process.env.TLA2TOOLS_JAR) {
      const { jar, sha256 } = await resolveTlcJar();
      say(`using TLA2TOOLS_JAR=${jar} (sha256 ${sha256}); the pinned jar is not fetched.`);
    } else {
      const how = await ensurePinnedJar(undefined, say);
      say(`${how === 'cached' ? 'reusing cached' : 'fetched and verified'} ${TLC_ARTIFACT} (${TLC_PIN.tlcVersion}) at ${cachedJarPath()}, sha256 ${TLC_PIN.sha256}.`);
    }
  }
  return ExitCode.OK;
});
