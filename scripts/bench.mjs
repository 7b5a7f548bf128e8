#!/usr/bin/env node
// `npm run bench`: builds the add-on, runs every bench/*.bench.ts (through vitest, which only runs the
// TypeScript), prints their tables and writes bench/results.json (machine, versions, figures).
// Figures, not pass/fail.
//   npm run bench -- --quick      fewer sizes and samples (under 2 minutes)
//   npm run bench -- fullRun      only the bench files whose name contains "fullRun"
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const filters = args.filter((arg) => !arg.startsWith("--"));
const outDir = path.join(root, "test-results/bench");

execFileSync(process.execPath, [path.join(root, "scripts/build.mjs")], { stdio: "inherit", cwd: root });
// The machine may be shared: its load before and after says how far to trust the absolute figures.
const loadBefore = os.loadavg();
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const vitest = spawnSync("npx", ["vitest", "run", "--project", "bench", "--reporter", "default", ...filters], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, ...(quick ? { BENCH_QUICK: "1" } : {}) },
});

const results = readdirSync(outDir)
  .filter((file) => file.endsWith(".json"))
  .map((file) => JSON.parse(readFileSync(path.join(outDir, file), "utf8")));
const targets = results.flatMap(({ bench, figures }) =>
  figures
    .filter((figure) => figure.target)
    .map(({ name, median, unit, ratios, target }) => ({ bench, figure: name, median, unit, ratios, ...target })),
);
const report = {
  date: new Date().toISOString(),
  quick,
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    loadAverage: { before: loadBefore.map(round), after: os.loadavg().map(round) },
  },
  versions: { node: process.version, firefox: firefoxVersion() },
  targets,
  results,
};
writeFileSync(path.join(root, "bench/results.json"), JSON.stringify(report, null, 2));
console.log("\ntargets");
for (const { figure, median, unit, ratios, goal, met } of targets) {
  const ratio = Object.entries(ratios)
    .map(([baseline, value]) => ` (${value}× ${baseline})`)
    .join("");
  console.log(`  ${met ? "met    " : "NOT met"}  ${goal.padEnd(42)} ${figure}: ${median} ${unit}${ratio}`);
}
console.log(`wrote bench/results.json (${results.length} benches)`);
process.exit(vitest.status ?? 1);

function round(value) {
  return Math.round(value * 100) / 100;
}

function firefoxVersion() {
  try {
    return execFileSync(process.env.FIREFOX_BINARY ?? "firefox-esr", ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}
