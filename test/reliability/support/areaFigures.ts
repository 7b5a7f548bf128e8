/**
 * The figures each reliability area writes for `npm run test:reliability` (scripts/reliability.mjs), which
 * prints one summary line per area: `test-results/reliability/<area>.json` holds `{area, tried, passed,
 * summary, failures}`. A file written part-way (a test failed) still says what was tried.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const OUT_DIR = fileURLToPath(new URL("../../../test-results/reliability/", import.meta.url));

/** `RELIABILITY_QUICK=1`: the CI sizes (a few minutes in all); otherwise the full sizes. */
export const QUICK = process.env.RELIABILITY_QUICK === "1";

/** `RELIABILITY_SEED=<n>` replays a run; otherwise a fresh seed, printed in the summary. */
export function reliabilitySeed(): number {
  const given = Number(process.env.RELIABILITY_SEED);
  return Number.isInteger(given) && given > 0 ? given : Math.floor(Math.random() * 2 ** 31) + 1;
}

export class AreaTally {
  tried = 0;
  passed = 0;
  readonly failures: string[] = [];

  constructor(readonly area: string) {}

  /** Counts one case; a failing one keeps its description (the summary shows the first few). */
  record(name: string, problems: string[]): void {
    this.tried += 1;
    if (problems.length === 0) this.passed += 1;
    else this.failures.push(`${name}: ${problems.join("; ")}`);
  }

  /** Writes the area's figures with its summary line (what follows `<area>: `). */
  write(summary: string): void {
    mkdirSync(OUT_DIR, { recursive: true });
    const figures = { area: this.area, tried: this.tried, passed: this.passed, summary, failures: this.failures };
    writeFileSync(join(OUT_DIR, `${this.area}.json`), JSON.stringify(figures, null, 2));
  }
}
