import type { AppContext } from "../appContext.js";
import { htmlResponse, jsonResponse, notFound, pemResponse } from "../httpResponse.js";
import { publicConfig } from "../publicConfig.js";
import { renderRecipesPage } from "../recipesPage.js";
import type { Route } from "../router.js";
import { SIGNERS } from "../signers.js";

/** The start page, the health check and the x5u certificate chains. */
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
            clients: app.intake.clients(),
          }),
        ),
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
