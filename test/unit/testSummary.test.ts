import { describe, expect, it } from "vitest";
// @ts-expect-error -- a plain .mjs script without type declarations
import { summaryLine } from "../../scripts/testSummary.mjs";

type FileStatus = "passed" | "failed";
const file = (status: FileStatus, tests: FileStatus[]) => ({
  status,
  assertionResults: tests.map((test) => ({ status: test })),
});

describe(".ci/run's closing line", () => {
  it("counts passed and failed tests", () => {
    const report = {
      numPassedTests: 3,
      numFailedTests: 1,
      numPendingTests: 0,
      success: false,
      testResults: [file("failed", ["passed", "passed", "passed", "failed"])],
    };
    expect(summaryLine(report)).toBe("3 passed, 1 failed");
  });

  it("counts a test file that failed to load as a failure, though no test in it failed", () => {
    const report = {
      numPassedTests: 13,
      numFailedTests: 0,
      numPendingTests: 2,
      success: false,
      testResults: [file("passed", ["passed"]), file("failed", [])],
    };
    expect(summaryLine(report)).toBe("13 passed, 1 failed, 2 skipped");
  });

  it("counts an error outside every file as a failure", () => {
    const report = {
      numPassedTests: 5,
      numFailedTests: 0,
      numPendingTests: 0,
      success: false,
      testResults: [file("passed", ["passed"])],
    };
    expect(summaryLine(report)).toBe("5 passed, 1 failed");
  });

  it("says 0 failed for a successful run", () => {
    const report = {
      numPassedTests: 5,
      numFailedTests: 0,
      numPendingTests: 0,
      success: true,
      testResults: [file("passed", ["passed"])],
    };
    expect(summaryLine(report)).toBe("5 passed, 0 failed");
  });
});
