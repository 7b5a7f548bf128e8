import type { AppContext } from "../appContext.js";
import { extensionDetails } from "../extensionDetails.js";
import { jsonResponse, notFound } from "../httpResponse.js";
import type { Route } from "../router.js";

/**
 * The legacy Normandy API (`/api/v1/`). Signed recipes come from the same published snapshot, with the
 * same signatures, as the Remote Settings records.
 */
export function legacyApiRoutes(app: AppContext): Route[] {
  const base = app.urls.legacyApiUrl;
  return [
    {
      method: "GET",
      path: /^\/api\/v1\/?$/,
      handle: () =>
        jsonResponse({
          "recipe-signed": `${base}recipe/signed/`,
          "classify-client": `${base}classify_client/`,
          "extension-list": `${base}extension/`,
        }),
    },
    {
      method: "GET",
      // Normandy asked for `?enabled=true`; only enabled recipes are ever published, so it changes nothing.
      path: /^\/api\/v1\/recipe\/signed\/?$/,
      handle: () =>
        jsonResponse(app.publisher.current().records.map(({ recipe, signature }) => ({ recipe, signature }))),
    },
    {
      method: "GET",
      path: /^\/api\/v1\/classify_client\/?$/,
      handle: () => jsonResponse({ country: app.country, request_time: app.now().toISOString() }),
    },
    {
      method: "GET",
      path: /^\/api\/v1\/extension\/([^/]+)\/?$/,
      handle: ({ params: [id] }) => {
        const extension = /^\d+$/.test(id ?? "") ? app.extensions.get(Number(id)) : undefined;
        if (!extension) throw notFound(`no extension with id ${id ?? ""}`);
        return jsonResponse(extensionDetails(app.urls.serverUrl, extension));
      },
    },
  ];
}
