import type { AppContext } from "./appContext.js";
import { recipesChangeset } from "./changeset.js";
import { signCollection } from "./collectionSignature.js";
import { errorResponse, HttpError, jsonResponse, notFound, type HttpResponse } from "./httpResponse.js";
import type { PublishedSnapshot } from "./publishedSnapshot.js";

/** The recipes changeset clients are served: the last published snapshot, unless a fault is active. */
export async function servedChangeset(app: AppContext): Promise<HttpResponse> {
  const fault = app.faults.active;
  const current = app.publisher.current();
  switch (fault?.kind) {
    case undefined:
    // XPI faults leave the changeset alone.
    case "corrupt-xpi":
    case "stall-xpi":
      return jsonResponse(recipesChangeset(current));
    case "tamper-recipe":
      return jsonResponse(recipesChangeset(await tampered(app, current, fault.recipeId)));
    case "replay": {
      const old = app.snapshots.at(fault.timestamp);
      if (!old) throw notFound(`fault mode: there is no published snapshot ${fault.timestamp} to replay`);
      return jsonResponse(recipesChangeset(old));
    }
    case "http-status": {
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { "Retry-After": String(fault.retryAfterSeconds) };
      return errorResponse(new HttpError(fault.status, "fault_injected", `fault mode: HTTP ${fault.status}`), headers);
    }
    case "reset-mid-body": {
      const response = jsonResponse(recipesChangeset(current));
      return { ...response, resetAfterBytes: Math.floor(Buffer.byteLength(response.body) / 2) };
    }
    case "truncated-body": {
      const response = jsonResponse(recipesChangeset(current));
      return { ...response, body: response.body.slice(0, Math.floor(response.body.length / 2)) };
    }
  }
}

/** `snapshot` with one recipe's arguments changed after signing, and the collection signed again. */
async function tampered(app: AppContext, snapshot: PublishedSnapshot, recipeId: number): Promise<PublishedSnapshot> {
  const records = snapshot.records.map((record) =>
    record.recipe.id === recipeId
      ? { ...record, recipe: { ...record.recipe, arguments: { ...record.recipe.arguments, tampered: true } } }
      : record,
  );
  const signature = await signCollection(app.pki, snapshot.serverUrl, records, snapshot.timestamp);
  return { ...snapshot, records, signature };
}
