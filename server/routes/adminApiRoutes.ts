import type { AppContext } from "../appContext.js";
import { recipesChangeset } from "../changeset.js";
import { emptyResponse, jsonResponse, notFound } from "../httpResponse.js";
import { assertPublishable, parseRecipeInput, RecipeValidationError, type RecipeInput } from "../recipeValidation.js";
import { filterSyntaxError } from "../../src/core/index.js";
import type { StoredRecipe } from "../recipeStore.js";
import type { Route, RouteRequest } from "../router.js";
import { publicConfig } from "../publicConfig.js";
import { addonPrefs } from "../addonPrefs.js";
import { assertNoRollbackWithItsRollout } from "../rolloutRollbackConflicts.js";
import { parseFault } from "../faults.js";
import { assertExtensionsExist } from "../extensionReferences.js";

/** The JSON API QA tooling (tests, the server's page) uses to edit and publish recipes. */
export function adminApiRoutes(app: AppContext): Route[] {
  const { store, publisher } = app;
  const hasExtension = (id: number): boolean => app.extensions.get(id) !== undefined;

  /** The recipe a create or replace request describes, refused (400) unless the server can publish it. */
  async function recipeInput(request: RouteRequest): Promise<RecipeInput> {
    const input = parseRecipeInput(await request.readJson());
    assertExtensionsExist(input.fields, hasExtension);
    return input;
  }

  function recipeFrom(request: RouteRequest): StoredRecipe {
    const id = Number(request.params[0]);
    const recipe = store.get(id);
    if (!recipe) throw notFound(`there is no recipe ${id}`);
    return recipe;
  }

  function found(recipe: StoredRecipe | undefined, id: number): StoredRecipe {
    if (!recipe) throw notFound(`there is no recipe ${id}`);
    return recipe;
  }

  return [
    {
      method: "GET",
      path: /^\/admin\/api\/recipes$/,
      handle: () => jsonResponse({ recipes: store.list() }),
    },
    {
      method: "POST",
      path: /^\/admin\/api\/recipes$/,
      takesBody: true,
      handle: async (request) => {
        const input = await recipeInput(request);
        const recipe = store.create(input.fields, input.enabled ?? false);
        return jsonResponse(recipe, 201, { Location: `${app.urls.serverUrl}/admin/api/recipes/${recipe.id}` });
      },
    },
    {
      method: "GET",
      path: /^\/admin\/api\/recipes\/(\d+)$/,
      handle: (request) => jsonResponse(recipeFrom(request)),
    },
    {
      method: "PUT",
      path: /^\/admin\/api\/recipes\/(\d+)$/,
      takesBody: true,
      handle: async (request) => {
        const { id } = recipeFrom(request);
        const input = await recipeInput(request);
        return jsonResponse(found(store.update(id, input.fields, input.enabled), id));
      },
    },
    {
      method: "DELETE",
      path: /^\/admin\/api\/recipes\/(\d+)$/,
      handle: (request) => {
        const { id } = recipeFrom(request);
        store.delete(id);
        return emptyResponse();
      },
    },
    {
      method: "POST",
      path: /^\/admin\/api\/recipes\/(\d+)\/(enable|disable)$/,
      handle: (request) => {
        const { id } = recipeFrom(request);
        return jsonResponse(found(store.setEnabled(id, request.params[1] === "enable"), id));
      },
    },
    {
      method: "POST",
      // The page checks a filter's syntax before saving: `{filter_expression}` → `{valid, message?, position?}`.
      path: /^\/admin\/api\/filter-check$/,
      takesBody: true,
      handle: async (request) => {
        const body = await request.readJson();
        const expression = (body as { filter_expression?: unknown } | null)?.filter_expression;
        if (typeof expression !== "string") {
          throw new RecipeValidationError("filter_expression must be a string", "filter_expression");
        }
        const error = filterSyntaxError(expression);
        return jsonResponse(
          error ? { valid: false, message: error.message, position: error.position } : { valid: true },
        );
      },
    },
    {
      method: "GET",
      path: /^\/admin\/api\/fault$/,
      handle: () => jsonResponse({ fault: app.faults.active }),
    },
    {
      method: "PUT",
      path: /^\/admin\/api\/fault$/,
      takesBody: true,
      handle: async (request) => {
        app.faults.set(parseFault(await request.readJson()));
        return jsonResponse({ fault: app.faults.active });
      },
    },
    {
      method: "DELETE",
      path: /^\/admin\/api\/fault$/,
      handle: () => {
        app.faults.clear();
        return emptyResponse();
      },
    },
    {
      method: "POST",
      path: /^\/admin\/api\/publish$/,
      handle: async () => {
        // Nothing is signed while any enabled recipe is invalid.
        for (const recipe of store.list()) if (recipe.enabled) assertPublishable(recipe, hasExtension);
        assertNoRollbackWithItsRollout(store.list());
        const snapshot = await publisher.publish();
        return jsonResponse({ timestamp: snapshot.timestamp, published: snapshot.records.map((r) => r.recipe.id) });
      },
    },
    {
      method: "POST",
      // Signs the recipe as saved now (enabled or not) into the preview collection, for "Run here" on one client.
      path: /^\/admin\/api\/recipes\/(\d+)\/preview$/,
      handle: async (request) => {
        const recipe = recipeFrom(request);
        assertPublishable(recipe, hasExtension, "signed as a preview");
        return jsonResponse(await app.previews.sign(recipe));
      },
    },
    {
      method: "GET",
      path: /^\/admin\/api\/snapshots$/,
      handle: () => jsonResponse({ timestamps: app.snapshots.timestamps() }),
    },
    {
      method: "GET",
      // A past published state, in the changeset shape, so tests can replay what clients saw then.
      path: /^\/admin\/api\/snapshots\/(\d+)$/,
      handle: ({ params: [timestamp] }) => {
        const snapshot = app.snapshots.at(Number(timestamp));
        if (!snapshot) throw notFound(`nothing was published at ${timestamp ?? ""}`);
        return jsonResponse(recipesChangeset(snapshot));
      },
    },
    {
      method: "GET",
      path: /^\/admin\/api\/config$/,
      handle: () => {
        const config = publicConfig(app.urls, app.pki);
        // `addonPrefs`: pref name → value, exactly what `npm start` sets in its profile.
        return jsonResponse({
          ...config,
          addonPrefs: Object.fromEntries(addonPrefs(config).map(({ name, value }) => [name, value])),
        });
      },
    },
  ];
}
