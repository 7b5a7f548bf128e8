/** The actions the server accepts recipes for, and the argument checks it runs per action. */

export const ACTION_NAMES = [
  "console-log",
  "preference-experiment",
  "multi-preference-experiment",
  "single-preference-experiment",
  "preference-rollout",
  "preference-rollback",
  "branched-addon-study",
  "addon-rollout",
  "addon-rollback",
  "show-heartbeat",
] as const;

export type ActionName = (typeof ACTION_NAMES)[number];

export function isActionName(value: unknown): value is ActionName {
  return typeof value === "string" && (ACTION_NAMES as readonly string[]).includes(value);
}

/** What is wrong with a recipe's arguments: a dotted path under `arguments` and a message for QA. */
export interface ArgumentProblem {
  field: string;
  message: string;
}

type ArgumentValidator = (args: Record<string, unknown>) => ArgumentProblem | undefined;

/**
 * Per-action argument checks (Normandy's action schemas, `normandy-client-reference.md` §2.1). Actions
 * without an entry accept any object for now; the full schemas come with their own issue.
 */
const ARGUMENT_VALIDATORS: Partial<Record<ActionName, ArgumentValidator>> = {
  "console-log": (args) =>
    typeof args["message"] === "string"
      ? undefined
      : { field: "arguments.message", message: "console-log needs a string `message`" },
};

export function validateActionArguments(
  action: ActionName,
  args: Record<string, unknown>,
): ArgumentProblem | undefined {
  return ARGUMENT_VALIDATORS[action]?.(args);
}
