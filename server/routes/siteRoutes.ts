import type { AppContext } from "../appContext.js";
import { htmlResponse, jsonResponse, notFound, pemResponse, scriptResponse } from "../httpResponse.js";
import { isPageScript, readPageScript } from "../pageScripts.js";
import { publicConfig } from "../publicConfig.js";
import { renderRecipeEditorPage } from "../recipeEditorPage.js";
import { renderRecipesPage } from "../recipesPage.js";
import type { Route } from "../router.js";
import { SIGNERS } from "../signers.js";

/** The start page, the recipe editor and the pages' scripts, the health check and the x5u certificate chains. */
export function siteRoutes(app: AppContext): Route[] {
  return [
    {
      method: "GET",
      path: /^\/$/,
      handle: () =>
        htmlResponse(
          renderRecipesPage({
            config: publicConfig(app.urls, app.pki),
            recipes: app.store.list(),
            published: app.publisher.current(),
            extensions: app.extensions.list(),
            clients: app.intake.clients(),
          }),
        ),
    },
    {
      method: "GET",
      path: /^\/recipes\/new$/,
      handle: () => htmlResponse(renderRecipeEditorPage({})),
    },
    {
      method: "GET",
      path: /^\/recipes\/(\d+)$/,
      handle: ({ params: [id] }) => {
        const recipe = app.store.get(Number(id));
        if (!recipe) throw notFound(`there is no recipe ${id ?? ""}`);
        return htmlResponse(renderRecipeEditorPage({ recipeId: recipe.id }));
      },
    },
    {
      method: "GET",
      path: /^\/static\/([^/]+)$/,
      handle: async ({ params: [name = ""] }) => {
        const script = isPageScript(name) ? await readPageScript(name) : undefined;
        if (script === undefined)
          throw notFound(`no static file ${name}${isPageScript(name) ? " (not built: run npm run build)" : ""}`);
        return scriptResponse(script);
      },
    },
    {
      method: "GET",
      path: /^\/healthz$/,
      handle: () => jsonResponse({ ok: true }),
    },
    {
      method: "GET",
      path: /^\/chains\/([^/]+)\.pem$/,
      handle: ({ params: [name] }) => {
        const signer = SIGNERS.find((candidate) => candidate === name);
        if (!signer) throw notFound(`no certificate chain for ${name ?? ""}`);
        return pemResponse(app.pki.chainPem(signer));
      },
    },
  ];
}
