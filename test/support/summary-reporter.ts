// Prints one plain closing line, "tests: N passed, N failed[, N skipped]", after vitest's own
// summary, so CI log readers that do not know vitest still see the counts.
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++;
    }
    const line = `tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
    // vitest prints its own summary after this hook; writing at exit keeps ours the last line.
    process.once('exit', () => process.stdout.write(`\n${line}\n`));
  }
}
