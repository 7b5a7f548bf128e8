import jexlModule from "jexl";

/** The context a filter expression sees: `normandy.*` and its alias `env.*`, plus anything else given. */
export type FilterContext = Record<string, unknown>;

const jexl = new jexlModule.Jexl();
type CompiledExpression = ReturnType<typeof jexl.compile>;
const compiled = new Map<string, CompiledExpression>();

/**
 * Evaluates a recipe's filter expression against `context`. Like Firefox's `FilterExpressions.eval`,
 * tabs and line breaks are replaced by spaces before parsing, so multi-line filters work.
 * Compiled expressions are cached by their text; a syntax error throws.
 */
export async function evaluateFilter(expression: string, context: FilterContext): Promise<unknown> {
  const normalized = expression.replace(/[\t\n\r]/g, " ");
  let expr = compiled.get(normalized);
  if (!expr) {
    expr = jexl.compile(normalized);
    compiled.set(normalized, expr);
  }
  return expr.eval(context);
}
