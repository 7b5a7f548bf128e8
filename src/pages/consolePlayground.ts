/** The QA console's filter playground: an expression evaluated like a recipe filter against this client, now. */
import { askBackground } from "./askBackground.js";
import { byId, caretExcerpt, element, errorText, say } from "./dom.js";
import { explanationBlock } from "./explanationTree.js";

export async function evaluatePlayground(): Promise<void> {
  const input = byId<HTMLTextAreaElement>("filter-expression");
  const result = byId("filter-result");
  const expression = input.value;
  say(result, "Evaluating…");
  try {
    const evaluation = await askBackground({ type: "evaluate-filter", expression });
    if (evaluation.ok) {
      say(
        result,
        evaluation.matches ? "Matches: the value is truthy." : "Does not match: the value is falsy.",
        evaluation.matches ? "ok" : "",
      );
      result.append(
        element("pre", "value", JSON.stringify(evaluation.value, null, 2)),
        explanationBlock(evaluation.explanation),
      );
    } else if (evaluation.position !== undefined) {
      say(result, `Syntax error at position ${evaluation.position}: ${evaluation.error}`, "error");
      result.append(caretExcerpt(expression, evaluation.position));
      input.focus();
      input.setSelectionRange(evaluation.position, evaluation.position + 1);
    } else {
      say(result, `Error: ${evaluation.error}`, "error");
      if (evaluation.explanation) result.append(explanationBlock(evaluation.explanation));
    }
  } catch (error) {
    say(result, `Cannot evaluate: ${errorText(error)}`, "error");
  }
}

/** An example button's expression goes into the playground and is evaluated at once. */
export function evaluateExample(event: Event): void {
  const button = event.target instanceof Element ? event.target.closest<HTMLButtonElement>("button.example") : null;
  const expression = button?.dataset.expression;
  if (expression === undefined) return;
  byId<HTMLTextAreaElement>("filter-expression").value = expression;
  void evaluatePlayground();
}
