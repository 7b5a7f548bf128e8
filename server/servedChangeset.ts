import type { AppContext } from "./appContext.js";
import { RECIPES_BUCKET, recipesChangeset } from "./changeset.js";
import { signCollection } from "./collectionSignature.js";
import { errorResponse, HttpError, jsonResponse, notFound, type HttpResponse } from "./httpResponse.js";
import type { PublishedSnapshot, SignedCollection } from "./publishedSnapshot.js";
import { chainUrl, RECIPE_SIGNER } from "./signers.js";

/**
 * The changeset clients are served for `collection` (the published recipes or the previews): its current
 * snapshot, unless a fault is active; faults apply to either collection alike. The faithful
 * changeset honours `since` (the request's `_since`, see recipesChangeset); a fault ignores it: it plays a server
 * sending something bad, so it is sent in full and bites on the very next request.
 */
export async function servedChangeset(
  app: AppContext,
  collection: SignedCollection,
  since: number | undefined,
): Promise<HttpResponse> {
  const fault = app.faults.active;
  const current = collection.current();
  const changeset = (snapshot: PublishedSnapshot, sinceTimestamp?: number) =>
    recipesChangeset(snapshot, sinceTimestamp, collection.bucket);
  switch (fault?.kind) {
    // XPI faults leave the changeset alone.
    case undefined:
    case "corrupt-xpi":
    case "stall-xpi":
      return jsonResponse(changeset(current, since));
    case "tamper-recipe":
      return jsonResponse(changeset(await tampered(app, collection, current, fault.recipeId)));
    case "replay": {
      const old = collection.at(fault.timestamp);
      // The fault replays the collection that holds that snapshot; the other one is served as it is.
      if (!old) {
        if (collection.bucket !== RECIPES_BUCKET || app.previews.at(fault.timestamp))
          return jsonResponse(changeset(current, since));
        throw notFound(`fault mode: there is no snapshot ${fault.timestamp} to replay`);
      }
      return jsonResponse(changeset(old));
    }
    case "http-status": {
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { "Retry-After": String(fault.retryAfterSeconds) };
      return errorResponse(new HttpError(fault.status, "fault_injected", `fault mode: HTTP ${fault.status}`), headers);
    }
    case "reset-mid-body": {
      const response = jsonResponse(changeset(current));
      return { ...response, resetAfterBytes: Math.floor(Buffer.byteLength(response.body) / 2) };
    }
    case "truncated-body": {
      const response = jsonResponse(changeset(current));
      return { ...response, body: response.body.slice(0, Math.floor(response.body.length / 2)) };
    }
    case "drop-connection":
      return { ...jsonResponse(null), dropConnection: true };
    case "slow-response":
      return { ...jsonResponse(changeset(current)), delayMs: fault.delayMs };
    case "malformed-json":
      return { ...jsonResponse(null), body: JSON.stringify(changeset(current)).replace(":", "=") };
    case "oversized-body":
      return { ...jsonResponse(null), body: JSON.stringify(changeset(current)).padEnd(fault.bytes, " ") };
    case "wrong-content-type":
      return jsonResponse(changeset(current), 200, { "Content-Type": "text/html; charset=utf-8" });
    case "wrong-x5u":
      return jsonResponse(changeset(withCollectionX5u(current, chainUrl(current.serverUrl, RECIPE_SIGNER))));
    case "foreign-x5u": {
      const { pathname, search } = new URL(current.signature.x5u);
      return jsonResponse(changeset(withCollectionX5u(current, `${fault.origin}${pathname}${search}`)));
    }
  }
}

/** The x5u is not part of the signed data: anyone on the path can change it, and only the chain check can tell. */
function withCollectionX5u(snapshot: PublishedSnapshot, x5u: string): PublishedSnapshot {
  return { ...snapshot, signature: { ...snapshot.signature, x5u } };
}

/** `snapshot` with one recipe's arguments changed after signing, and the collection signed again. */
async function tampered(
  app: AppContext,
  collection: SignedCollection,
  snapshot: PublishedSnapshot,
  recipeId: number,
): Promise<PublishedSnapshot> {
  const records = snapshot.records.map((record) =>
    record.recipe.id === recipeId
      ? { ...record, recipe: { ...record.recipe, arguments: { ...record.recipe.arguments, tampered: true } } }
      : record,
  );
  const signature = await signCollection(
    app.pki,
    snapshot.serverUrl,
    records,
    snapshot.timestamp,
    collection.signers.collection,
  );
  return { ...snapshot, records, signature };
}
