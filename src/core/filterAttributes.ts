/**
 * Which client attributes a parsed filter expression reads: `normandy.<name>` / `env.<name>`, and
 * `normandy["<name>"]` with a literal name. Read from the expression's tree without evaluating it, so a run
 * can start computing every attribute its filters need at once instead of one after the other as recipe after
 * recipe first reads them. A name computed at run time (`normandy[someExpression]`) is not seen here; the
 * filter then computes it when it reads it, as before.
 */
import type { MozjexlAst } from "./mozjexl.js";

/** The two names filters reach the client context by (Normandy's `env` is an alias of `normandy`). */
const CONTEXT_ROOTS = new Set(["normandy", "env"]);

export function attributesReadBy(ast: MozjexlAst): Set<string> {
  const names = new Set<string>();
  const visit = (node: MozjexlAst): void => {
    switch (node.type) {
      case "Identifier":
        if (node.from) {
          if (isContextRoot(node.from)) names.add(node.value);
          visit(node.from);
        }
        return;
      case "FilterExpression":
        if (
          !node.relative &&
          isContextRoot(node.subject) &&
          node.expr.type === "Literal" &&
          typeof node.expr.value === "string"
        ) {
          names.add(node.expr.value);
        }
        visit(node.subject);
        visit(node.expr);
        return;
      case "UnaryExpression":
        visit(node.right);
        return;
      case "BinaryExpression":
        visit(node.left);
        visit(node.right);
        return;
      case "ConditionalExpression":
        visit(node.test);
        // jexl leaves out the consequent of `a ?: b` (the test's value is the result).
        if (node.consequent) visit(node.consequent);
        visit(node.alternate);
        return;
      case "ArrayLiteral":
        node.value.forEach(visit);
        return;
      case "ObjectLiteral":
        Object.values(node.value).forEach(visit);
        return;
      case "FunctionCall":
        node.args.forEach(visit);
        return;
      case "Literal":
        return;
    }
  };
  visit(ast);
  return names;
}

/** `normandy` or `env` itself, read from the context (not from an element of a relative filter). */
function isContextRoot(node: MozjexlAst): boolean {
  return node.type === "Identifier" && !node.from && !node.relative && CONTEXT_ROOTS.has(node.value);
}
