import type { RecipeFields } from "../../../server/recipeStore.js";

/** A recipe that every client matches (`filter_expression` "true", no capabilities), as tests publish them. */
export const matchingRecipe = (
  name: string,
  action: RecipeFields["action"],
  args: Record<string, unknown>,
): RecipeFields => ({
  name,
  action,
  arguments: args,
  filter_expression: "true",
  capabilities: [],
});
