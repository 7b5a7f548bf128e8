/**
 * The two ways a filter can be evaluated, for tests that hold them to the same results: `evaluateFilter` as
 * it is (the synchronous fast path first), and mozjexl's asynchronous evaluator alone, which the fast path
 * must agree with.
 */
import { expect, vi } from "vitest";
import { type FilterContext, type FilterOptions, evaluateFilter } from "../../src/core/filterExpressions.js";
import { Mozjexl, NEEDS_ASYNC } from "../../src/core/mozjexl.js";

/** A filter's value, or its error's type and message: what the two ways must agree on. */
export type FilterOutcome = { value: unknown } | { error: string };

export async function outcomeOf(evaluation: Promise<unknown>): Promise<FilterOutcome> {
  try {
    return { value: await evaluation };
  } catch (error) {
    return { error: error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error) };
  }
}

/** `evaluateFilter` with the fast path switched off: the asynchronous evaluator alone. */
export function evaluateAsyncOnly(
  expression: string,
  context: FilterContext,
  options?: FilterOptions,
): Promise<unknown> {
  // evaluateFilter tries the fast path before its first await, so the switch is off for this call alone.
  const fastPath = vi.spyOn(Mozjexl.prototype, "evaluateSync").mockReturnValue(NEEDS_ASYNC);
  try {
    return evaluateFilter(expression, context, options);
  } finally {
    fastPath.mockRestore();
  }
}

/**
 * `evaluateFilter`, after checking it against the asynchronous evaluator alone (evaluated first, so that the
 * fast path finds the sampling hashes and regExpMatch results known): the same value, or the same error.
 */
export async function evaluateBothWays(
  expression: string,
  context: FilterContext,
  options?: FilterOptions,
): Promise<unknown> {
  const reference = await outcomeOf(evaluateAsyncOnly(expression, context, options));
  const evaluation = evaluateFilter(expression, context, options);
  expect(await outcomeOf(evaluation), expression).toEqual(reference);
  return evaluation;
}
