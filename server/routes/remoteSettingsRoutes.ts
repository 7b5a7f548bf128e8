import { createHash } from "node:crypto";
import type { AppContext } from "../appContext.js";
import { RECIPES_BUCKET, RECIPES_COLLECTION } from "../changeset.js";
import { jsonResponse, notFound } from "../httpResponse.js";
import type { Route } from "../router.js";
import type { SignedCollection } from "../publishedSnapshot.js";
import { PUBLISHED_SIGNERS } from "../signers.js";
import { servedChangeset } from "../servedChangeset.js";

/**
 * The slice of the Remote Settings (Kinto) HTTP API a Remote Settings client needs: the server root,
 * the recipes changeset, the preview changeset (drafts signed on request, bucket `main-preview`) and the
 * `monitor/changes` poll, which lists only the published collection: clients poll that one, and fetch the
 * preview only when QA asks them to run a draft. `_expected` (cache busting) is accepted and ignored;
 * `_since` asks whether the collection changed since a timestamp (see recipesChangeset).
 */
export function remoteSettingsRoutes(app: AppContext): Route[] {
  const published: SignedCollection = {
    bucket: RECIPES_BUCKET,
    signers: PUBLISHED_SIGNERS,
    current: () => app.publisher.current(),
    at: (timestamp) => app.snapshots.at(timestamp),
  };
  const collections = new Map([published, app.previews].map((collection) => [collection.bucket, collection]));
  return [
    {
      method: "GET",
      path: /^\/v1\/?$/,
      handle: () =>
        jsonResponse({
          project_name: "recipe-server",
          http_api_version: "1.22",
          url: `${app.urls.remoteSettingsUrl}/`,
        }),
    },
    {
      method: "GET",
      path: /^\/v1\/buckets\/([^/]+)\/collections\/([^/]+)\/changeset$/,
      handle: ({ params: [bucket, collection], query }) => {
        if (bucket === "monitor" && collection === "changes") {
          const timestamp = app.publisher.current().timestamp;
          return jsonResponse({
            metadata: { id: "changes", bucket: "monitor" },
            changes: [
              {
                id: monitorEntryId(RECIPES_BUCKET, RECIPES_COLLECTION),
                bucket: RECIPES_BUCKET,
                collection: RECIPES_COLLECTION,
                last_modified: timestamp,
              },
            ],
            timestamp,
          });
        }
        const served = collection === RECIPES_COLLECTION ? collections.get(bucket ?? "") : undefined;
        if (served) return servedChangeset(app, served, sinceTimestamp(query));
        throw notFound(`this server has no collection ${bucket}/${collection}`);
      },
    },
  ];
}

/**
 * `_since`: a timestamp, bare or quoted as Firefox's Remote Settings client sends it (`_since="1700000000000"`).
 * Anything else counts as absent, as other malformed query parameters do here: the answer is the full changeset.
 */
function sinceTimestamp(query: URLSearchParams): number | undefined {
  const match = /^(?:(\d+)|"(\d+)")$/.exec(query.get("_since") ?? "");
  return match ? Number(match[1] ?? match[2]) : undefined;
}

/** Remote Settings gives monitor entries a UUID hashed (MD5) from the collection; clients only need it stable. */
function monitorEntryId(bucket: string, collection: string): string {
  const hex = createHash("md5").update(`/buckets/${bucket}/collections/${collection}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
