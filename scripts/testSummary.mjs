#!/usr/bin/env node
// The plain closing line of `.ci/run`, "N passed, N failed[, N skipped]", from vitest's JSON report.
// vitest counts only tests that ran: a test file that fails to load (a missing fixture, a syntax error)
// or an error outside any test fails the run without failing a test, so each counts as one failure here.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** @param {{numPassedTests: number, numFailedTests: number, numPendingTests: number, success: boolean, testResults: {status: string, assertionResults: {status: string}[]}[]}} report */
export function summaryLine(report) {
  const brokenFiles = report.testResults.filter(
    (file) => file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed"),
  ).length;
  let failed = report.numFailedTests + brokenFiles;
  // An unhandled error (vitest reports it outside every file) still makes the run unsuccessful.
  if (!report.success && failed === 0) failed = 1;
  const skipped = report.numPendingTests ? `, ${report.numPendingTests} skipped` : "";
  return `${report.numPassedTests} passed, ${failed} failed${skipped}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? "test-results/vitest.json";
  console.log(summaryLine(JSON.parse(readFileSync(file, "utf8"))));
}
