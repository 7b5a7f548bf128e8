import type { AppContext } from "../appContext.js";
import { extensionDetails } from "../extensionDetails.js";
import type { StoredExtension } from "../extensionStore.js";
import { emptyResponse, HttpError, jsonResponse, notFound } from "../httpResponse.js";
import { parseJsonBody } from "../httpServer.js";
import type { Route, RouteRequest } from "../router.js";
import { servedXpi } from "../servedXpi.js";

/** Study add-ons are small; this bounds what one upload may make the server hold in memory. */
export const MAX_XPI_BYTES = 50 * 1024 * 1024;
/** Base64 is 4/3 of the bytes, plus the JSON around it. */
const MAX_BASE64_UPLOAD_BYTES = Math.ceil((MAX_XPI_BYTES * 4) / 3) + 1024;

/**
 * Add-on packages: QA uploads an XPI (`POST /admin/api/extensions`, the raw file, or JSON
 * `{"xpi": "<base64>"}`), the server reads its id and version, hashes it and serves it at
 * `/extensions/<id>.xpi`; clients read its metadata at the legacy `/api/v1/extension/<id>/`.
 */
export function extensionRoutes(app: AppContext): Route[] {
  const details = (extension: StoredExtension) => extensionDetails(app.urls.serverUrl, extension);

  function extensionFrom(request: RouteRequest): StoredExtension {
    const id = Number(request.params[0]);
    const extension = app.extensions.get(id);
    if (!extension) throw notFound(`there is no uploaded extension ${id}`);
    return extension;
  }

  return [
    {
      method: "POST",
      path: /^\/admin\/api\/extensions$/,
      takesBody: true,
      handle: async (request) => {
        const extension = app.extensions.add(await uploadedXpi(request));
        return jsonResponse(details(extension), 201, {
          Location: `${app.urls.serverUrl}/admin/api/extensions/${extension.id}`,
        });
      },
    },
    {
      method: "GET",
      path: /^\/admin\/api\/extensions$/,
      handle: () => jsonResponse({ extensions: app.extensions.list().map(details) }),
    },
    {
      method: "GET",
      path: /^\/admin\/api\/extensions\/(\d+)$/,
      handle: (request) => jsonResponse(details(extensionFrom(request))),
    },
    {
      method: "DELETE",
      path: /^\/admin\/api\/extensions\/(\d+)$/,
      handle: (request) => {
        app.extensions.delete(extensionFrom(request).id);
        return emptyResponse();
      },
    },
    {
      method: "GET",
      path: /^\/extensions\/(\d+)\.xpi$/,
      handle: (request) => servedXpi(app, extensionFrom(request)),
    },
  ];
}

/** The package's bytes: the body itself, or base64 in `{"xpi": …}` when the body is JSON. */
async function uploadedXpi(request: RouteRequest): Promise<Buffer> {
  if (request.contentType !== "application/json") return request.readBytes(MAX_XPI_BYTES);
  const body = parseJsonBody((await request.readBytes(MAX_BASE64_UPLOAD_BYTES)).toString("utf8")) as {
    xpi?: unknown;
  } | null;
  const encoded = body?.xpi;
  if (typeof encoded !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) {
    throw new HttpError(400, "validation_error", "`xpi` must be the package, base64-encoded", "xpi");
  }
  return Buffer.from(encoded, "base64");
}
