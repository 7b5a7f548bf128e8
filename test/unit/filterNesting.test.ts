/**
 * Bracket nesting is bounded (MAX_NESTING): the parser's time grows with the square of the nesting, so a
 * recipe nesting thousands of brackets deep would freeze a run for seconds to minutes. Found by the
 * hostile-recipe fuzzer (test/reliability/fuzz.test.ts).
 */
import { describe, expect, it } from "vitest";
import { evaluateFilter, filterSyntaxError } from "../../src/core/index.js";
import { MAX_NESTING } from "../../src/core/mozjexl.js";

const nested = (depth: number, open = "(", close = ")") => `${open.repeat(depth)}true${close.repeat(depth)}`;

describe("bracket nesting", () => {
  it(`evaluates filters nested ${MAX_NESTING} deep`, async () => {
    expect(await evaluateFilter(nested(MAX_NESTING), {})).toBe(true);
    expect(await evaluateFilter(`${"[".repeat(MAX_NESTING)}1${"]".repeat(MAX_NESTING)}`, {})).toEqual(
      expect.any(Array),
    );
  });

  it("refuses deeper nesting as a syntax error at the bracket that goes too deep", () => {
    expect(filterSyntaxError(nested(MAX_NESTING + 1))).toMatchObject({
      message: `Brackets nested more than ${MAX_NESTING} deep`,
      position: MAX_NESTING,
    });
    expect(filterSyntaxError(`a && ${"{x: ".repeat(MAX_NESTING + 1)}`)).toMatchObject({
      position: 5 + 4 * MAX_NESTING,
    });
  });

  it("refuses 30,000 levels at once instead of parsing for minutes", () => {
    const started = performance.now();
    expect(filterSyntaxError(nested(30_000))).not.toBeNull();
    expect(performance.now() - started).toBeLessThan(500);
  });
});
