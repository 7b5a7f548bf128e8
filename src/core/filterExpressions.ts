/**
 * Normandy filter expressions, evaluated like Firefox's `FilterExpressions.eval`: mozjexl (see
 * `mozjexl.ts`) plus Normandy's transforms (`filterTransforms.ts`) and its `intersect` operator.
 *
 * mozjexl awaits every value of every node, which costs a warm run of 1,000 recipes tens of milliseconds in
 * microtasks. So each filter is first evaluated synchronously (`Mozjexl.evaluateSync`), which answers when
 * every value it reads is known: client attributes already computed in the run, sampling hashes and
 * regExpMatch results already made (all tracked by settledPromise.ts). Otherwise (an attribute still to
 * compute, a preference transform, any error) the asynchronous evaluator evaluates the filter again, with
 * the same result: transforms the fast path called before it stopped are called again (sampling and
 * regExpMatch then find their first call's answer), the preference transforms only by the second.
 */
import { attributesReadBy } from "./filterAttributes.js";
import { FilterSyntaxError } from "./filterSyntaxError.js";
import {
  type FilterPrefsReader,
  FILTER_TRANSFORM_NAMES,
  PREFERENCE_TRANSFORM_NAMES,
  createFilterTransforms,
} from "./filterTransforms.js";
import { Mozjexl, type MozjexlAst, NEEDS_ASYNC, type NodeObserver, type TransformTable } from "./mozjexl.js";
import { nativeRegExpMatch, type RegExpMatcher } from "./regExpMatch.js";

export { FILTER_TRANSFORM_NAMES, type FilterPrefsReader };

/** The context a filter expression sees: `normandy.*` and its alias `env.*`, plus anything else given. */
export type FilterContext = Record<string, unknown>;

export interface FilterOptions {
  /** Needed by `preferenceValue`, `preferenceIsUserSet` and `preferenceExists`, which throw without it. */
  prefs?: FilterPrefsReader;
  /**
   * How `regExpMatch` matches; Firefox's native matching by default, which a hostile pattern can hang. One
   * answering through a promise should remember its answers (memoizedRegExpMatch): a filter the fast path
   * leaves to the asynchronous evaluator has its transforms called by both.
   */
  regExpMatch?: RegExpMatcher;
}

/** Parsed expressions kept for reuse; recipes are few, so this only bounds a pathological caller. */
const MAX_CACHED_EXPRESSIONS = 1000;
/**
 * Longer expressions are parsed each time instead: real filters are a few hundred characters, and a thousand
 * hostile megabyte-long ones, with their trees, would not fit in memory.
 */
const MAX_CACHED_EXPRESSION_LENGTH = 10_000;

const language = new Mozjexl();
language.addBinaryOp("intersect", 40, intersect);
const parsed = new Map<string, MozjexlAst>();
/** Transform tables by prefs reader, then by matcher: both are long-lived, one per client. */
const transformTables = new WeakMap<object, WeakMap<RegExpMatcher, TransformTable>>();
const NO_PREFS = {};

/**
 * Evaluates a recipe's filter expression against `context`. A malformed expression throws (it never
 * counts as a match), as do runtime errors on either side of `&&`/`||` (no short-circuit in mozjexl).
 */
export async function evaluateFilter(
  expression: string,
  context: FilterContext,
  options: FilterOptions = {},
): Promise<unknown> {
  const ast = parse(expression);
  const transforms = transformsFor(options.prefs, options.regExpMatch ?? nativeRegExpMatch);
  const value = language.evaluateSync(ast, context, transforms, PREFERENCE_TRANSFORM_NAMES);
  return value === NEEDS_ASYNC ? language.evaluate(ast, context, transforms) : value;
}

/**
 * Evaluates `expression` as `evaluateFilter` does, with mozjexl's asynchronous evaluator alone (the one the
 * fast path defers to, and agrees with), letting `observer` see every node: what explanations are made of.
 * Returns the parsed tree the observer's nodes belong to, and the promise of the value.
 */
export function evaluateFilterObserved(
  expression: string,
  context: FilterContext,
  options: FilterOptions,
  observer: NodeObserver,
): { ast: MozjexlAst; value: Promise<unknown> } {
  const ast = parse(expression);
  const transforms = transformsFor(options.prefs, options.regExpMatch ?? nativeRegExpMatch);
  return { ast, value: language.evaluate(ast, context, transforms, observer) };
}

/** The precedence of a binary operator of the filter language (`&&` 10, `==` 20, `+` 30, …). */
export function operatorPrecedence(operator: string): number {
  return language.precedenceOf(operator);
}

/**
 * The client attributes `expression` reads by name (see filterAttributes.ts); none when it does not parse
 * (evaluating it then fails without reading anything).
 */
export function attributesReadByFilter(expression: string): ReadonlySet<string> {
  try {
    return attributesReadBy(parse(expression));
  } catch (error) {
    if (error instanceof FilterSyntaxError) return new Set();
    throw error;
  }
}

/**
 * Why `expression` does not parse, or null when it does: a syntax check without evaluation (what the
 * recipe server runs before it saves or publishes a recipe).
 */
export function filterSyntaxError(expression: string): FilterSyntaxError | null {
  try {
    parse(expression);
    return null;
  } catch (error) {
    if (error instanceof FilterSyntaxError) return error;
    throw error;
  }
}

/** Parses with a cache; the least recently used expression goes first when it is full. */
function parse(expression: string): MozjexlAst {
  let ast = parsed.get(expression);
  if (ast) {
    parsed.delete(expression); // re-inserted below as the most recent
  } else {
    // Firefox replaces tabs and line breaks (also inside string literals) before parsing.
    ast = language.parse(expression.replace(/[\t\n\r]/g, " "));
    if (expression.length > MAX_CACHED_EXPRESSION_LENGTH) return ast;
    if (parsed.size >= MAX_CACHED_EXPRESSIONS) parsed.delete(parsed.keys().next().value!);
  }
  parsed.set(expression, ast);
  return ast;
}

function transformsFor(prefs: FilterPrefsReader | undefined, regExpMatch: RegExpMatcher): TransformTable {
  let byMatcher = transformTables.get(prefs ?? NO_PREFS);
  if (!byMatcher) transformTables.set(prefs ?? NO_PREFS, (byMatcher = new WeakMap()));
  let transforms = byMatcher.get(regExpMatch);
  if (!transforms) byMatcher.set(regExpMatch, (transforms = createFilterTransforms(prefs, regExpMatch)));
  return transforms;
}

/** `a intersect b`: the elements of `a` that `b` includes, or undefined unless both are arrays. */
function intersect(listA: unknown, listB: unknown): unknown[] | undefined {
  if (!Array.isArray(listA) || !Array.isArray(listB)) return undefined;
  return listA.filter((item) => listB.includes(item));
}
