import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The JSON report lets .ci/run print a one-line "N passed, N failed" summary.
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
    projects: [
      {
        test: {
          // Figures, not tests: run by `npm run bench` only (see bench/defineBench.ts).
          name: "bench",
          include: ["bench/**/*.bench.ts"],
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          // `npm run test:reliability` (scripts/reliability.mjs): faults, hostile recipes, crashes, concurrency,
          // privacy; each file writes its figures to test-results/reliability/. Firefox files drive one browser each.
          name: "reliability",
          include: ["test/reliability/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 30 * 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          // Each e2e file drives its own Firefox; running them one at a time keeps a 2-core machine sane.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
