import type { RecipeFields } from "./recipeStore.js";
import { RecipeValidationError } from "./recipeValidation.js";

/** One place a recipe's arguments name an uploaded add-on package: the field's path and the id it holds. */
interface ExtensionReference {
  field: string;
  id: number;
}

/** Every `extensionApiId` the recipe names (a branch's `null`, "no add-on", names none). */
function extensionReferences({
  action,
  arguments: args,
}: Pick<RecipeFields, "action" | "arguments">): ExtensionReference[] {
  switch (action) {
    case "addon-study":
    case "opt-out-study":
    case "addon-rollout":
      return typeof args["extensionApiId"] === "number"
        ? [{ field: "arguments.extensionApiId", id: args["extensionApiId"] }]
        : [];
    case "branched-addon-study": {
      const branches = Array.isArray(args["branches"]) ? (args["branches"] as { extensionApiId?: unknown }[]) : [];
      return branches.flatMap((branch, index) =>
        typeof branch?.extensionApiId === "number"
          ? [{ field: `arguments.branches[${index}].extensionApiId`, id: branch.extensionApiId }]
          : [],
      );
    }
    default:
      return [];
  }
}

/**
 * Refuses a recipe naming an add-on package the server does not have: every client would fail it
 * (`apply_error`, no metadata for that id), so the server says so at save and at publish instead.
 */
export function assertExtensionsExist(
  recipe: Pick<RecipeFields, "action" | "arguments">,
  hasExtension: (id: number) => boolean,
): void {
  for (const { field, id } of extensionReferences(recipe)) {
    if (!hasExtension(id)) {
      throw new RecipeValidationError(
        `there is no add-on package ${id} on this server (upload one with POST /admin/api/extensions; its id is the extensionApiId)`,
        field,
      );
    }
  }
}
