#!/usr/bin/env node
// `npm run test:reliability`: builds the add-on, runs the reliability suite (test/reliability/, vitest project
// `reliability`: faults, hostile recipes, crashes, concurrency, privacy) and prints one summary line per area
// from the figures each area writes to test-results/reliability/<area>.json. Exits non-zero when a test
// failed or an area is missing or has failing cases.
//   RELIABILITY_QUICK=1   the CI sizes (500 hostile recipes, one round of kills): a few minutes
//   RELIABILITY_SEED=<n>  replays the seeded parts (fuzzer, kill moments, trigger bursts)
//   npm run test:reliability -- fuzz   only the files whose name contains "fuzz"
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const figuresDir = path.join(root, "test-results/reliability");
const AREAS = ["faults", "fuzz", "crash", "addon-events", "serverCrash", "concurrency", "privacy"];
const filters = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));

execFileSync(process.execPath, [path.join(root, "scripts/build.mjs")], { stdio: "inherit", cwd: root });
rmSync(figuresDir, { recursive: true, force: true });
const started = Date.now();
const vitest = spawnSync("npx", ["vitest", "run", "--project", "reliability", ...filters], {
  cwd: root,
  stdio: "inherit",
});

console.log(
  `\n== reliability${process.env.RELIABILITY_QUICK === "1" ? " (quick)" : ""}, ${Math.round((Date.now() - started) / 1000)} s`,
);
let failed = vitest.status !== 0;
for (const area of AREAS.filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))) {
  const file = path.join(figuresDir, `${area}.json`);
  if (!existsSync(file)) {
    console.log(`${area}: no figures (the area did not run)`);
    failed = true;
    continue;
  }
  const figures = JSON.parse(readFileSync(file, "utf8"));
  const ok = figures.tried > 0 && figures.passed === figures.tried;
  failed ||= !ok;
  console.log(`${area}: ${figures.summary}${ok ? "" : "  <- FAILED"}`);
  for (const failure of figures.failures.slice(0, 5)) console.log(`    ${failure}`);
}
process.exit(failed ? 1 : 0);
