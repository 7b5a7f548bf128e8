import { filterSyntaxError } from "../src/core/index.js";
import { ACTION_NAMES, isActionName, validateActionArguments } from "./actionArguments.js";
import { assertExtensionsExist } from "./extensionReferences.js";
import type { RecipeFields, StoredRecipe } from "./recipeStore.js";

/**
 * Invalid recipe input. `field` names the offending field (a path for nested ones) when there is one;
 * `position` is the offset in the filter expression where its syntax error is.
 */
export class RecipeValidationError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly position?: number,
  ) {
    super(message);
    this.name = "RecipeValidationError";
  }
}

/** A validated create/replace request. */
export interface RecipeInput {
  fields: RecipeFields;
  /** Absent: keep the current state (or disabled, for a new recipe). */
  enabled?: boolean;
}

const WRITABLE_FIELDS = new Set(["name", "action", "arguments", "filter_expression", "capabilities", "enabled"]);
/** Fields the server owns. Accepted and ignored, so a client may send back a recipe it fetched. */
const SERVER_OWNED_FIELDS = new Set(["id", "revision_id", "last_modified"]);

/** Checks a JSON request body and returns the recipe it describes, or throws RecipeValidationError. */
export function parseRecipeInput(body: unknown): RecipeInput {
  if (!isPlainObject(body)) throw new RecipeValidationError("the request body must be a JSON object");
  for (const key of Object.keys(body)) {
    if (!WRITABLE_FIELDS.has(key) && !SERVER_OWNED_FIELDS.has(key)) {
      throw new RecipeValidationError(`unknown field "${key}"`, key);
    }
  }

  const { name, action, arguments: args, filter_expression, capabilities = [], enabled } = body;
  if (!isNonBlankString(name)) throw new RecipeValidationError("name must be a non-empty string", "name");
  if (!isActionName(action)) {
    throw new RecipeValidationError(`action must be one of: ${ACTION_NAMES.join(", ")}`, "action");
  }
  if (!isPlainObject(args)) throw new RecipeValidationError("arguments must be a JSON object", "arguments");
  if (!isNonBlankString(filter_expression)) {
    throw new RecipeValidationError("filter_expression must be a non-empty string", "filter_expression");
  }
  const syntaxError = filterSyntaxError(filter_expression);
  if (syntaxError) {
    throw new RecipeValidationError(
      `filter_expression has a syntax error at position ${syntaxError.position}: ${syntaxError.message}`,
      "filter_expression",
      syntaxError.position,
    );
  }
  if (!Array.isArray(capabilities) || !capabilities.every(isNonBlankString)) {
    throw new RecipeValidationError("capabilities must be an array of non-empty strings", "capabilities");
  }
  if (enabled !== undefined && typeof enabled !== "boolean") {
    throw new RecipeValidationError("enabled must be true or false", "enabled");
  }
  const problem = validateActionArguments(action, args);
  if (problem) throw new RecipeValidationError(problem.message, problem.field);

  const fields: RecipeFields = { name, action, arguments: args, filter_expression, capabilities };
  return enabled === undefined ? { fields } : { fields, enabled };
}

/**
 * Refuses to publish an enabled recipe the server would not accept today (one stored before a check
 * existed, or naming an add-on package deleted since): the error names the recipe, the field and, for a
 * filter, the position. A draft signed as a preview is held to the same checks (`purpose` words the message).
 */
export function assertPublishable(
  recipe: StoredRecipe,
  hasExtension: (id: number) => boolean,
  purpose: "published" | "signed as a preview" = "published",
): void {
  const { name, action, arguments: args, filter_expression, capabilities } = recipe;
  try {
    parseRecipeInput({ name, action, arguments: args, filter_expression, capabilities });
    assertExtensionsExist(recipe, hasExtension);
  } catch (error) {
    if (!(error instanceof RecipeValidationError)) throw error;
    throw new RecipeValidationError(
      `recipe ${recipe.id} ("${recipe.name}") cannot be ${purpose}: ${error.message}`,
      error.field,
      error.position,
    );
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNonBlankString(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}
