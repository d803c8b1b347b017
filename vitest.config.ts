import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Compares Raft logs by their entries (their storage is private, so the default equality cannot).
    setupFiles: ['test/support/raft-log-equality.ts'],
    // Integration suites spawn real JVMs; give them room, and keep TLC runs from fighting over 2 cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
    },
  },
});
