/** The actions the server accepts recipes for, and their argument checks: the core's action schemas. */
import { ACTION_SCHEMAS, type ActionName, validateJson } from "../src/core/index.js";

export type { ActionName };

export const ACTION_NAMES = Object.keys(ACTION_SCHEMAS) as ActionName[];

export function isActionName(value: unknown): value is ActionName {
  return typeof value === "string" && Object.hasOwn(ACTION_SCHEMAS, value);
}

/** What is wrong with a recipe's arguments: a path under `arguments` (`arguments.branches[0].slug`) and why. */
export interface ArgumentProblem {
  field: string;
  message: string;
}

/**
 * Checks a recipe's arguments against its action's schema, strictly (`pattern`, `minItems`, … hold, as on
 * Normandy's server), so the server never publishes what the schema describes as invalid.
 */
export function validateActionArguments(
  action: ActionName,
  args: Record<string, unknown>,
): ArgumentProblem | undefined {
  const result = validateJson(args, ACTION_SCHEMAS[action], { strict: true });
  if (result.valid) return undefined;
  const field =
    result.path === ""
      ? "arguments"
      : result.path.startsWith("[")
        ? `arguments${result.path}`
        : `arguments.${result.path}`;
  return { field, message: result.message };
}
