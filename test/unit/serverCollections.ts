/**
 * Recipe server test helpers over HTTP: create and publish recipes, fetch a collection's changeset, and check
 * its signatures the way a client does (x5u chain over HTTP, the server's pinned root).
 */
import { expect } from "vitest";
import { canonicalJSON } from "../../src/core/canonicalJson.js";
import { collectionSignedData } from "../../src/core/collectionSignedData.js";
import { verifyContentSignature } from "../../src/core/contentSignature.js";
import { PREVIEW_COLLECTION_SIGNER, PREVIEW_RECIPE_SIGNER } from "../../src/core/previewSigners.js";
import { COLLECTION_SIGNER, RECIPE_SIGNER } from "../../server/signers.js";
import type { RecipesChangeset } from "../../server/changeset.js";
import type { PublishedRecord } from "../../server/publishedSnapshot.js";
import type { RunningRecipeServer } from "../../server/recipeServer.js";
import type { StoredRecipe } from "../../server/recipeStore.js";
import { CONSOLE_LOG_RECIPE, fetchJson, postJson } from "./serverHarness.js";

/** The changeset path of a recipes collection: the published one (`main`) or the previews (`main-preview`). */
export const changesetPath = (bucket: "main" | "main-preview" = "main") =>
  `/v1/buckets/${bucket}/collections/normandy-recipes-capabilities/changeset`;

export async function fetchChangeset(
  server: RunningRecipeServer,
  bucket: "main" | "main-preview" = "main",
  query = "?_expected=0",
): Promise<RecipesChangeset> {
  const reply = await fetchJson<RecipesChangeset>(`${server.url}${changesetPath(bucket)}${query}`);
  expect(reply.status).toBe(200);
  return reply.body;
}

/** Verifies like a client: fetch the x5u chain over HTTP, pin the server's root, check the subject. */
export async function verify(
  server: RunningRecipeServer,
  data: string,
  signature: { signature: string; x5u: string },
  subject: string,
) {
  const chain = await fetch(signature.x5u);
  expect(chain.status).toBe(200);
  return verifyContentSignature({
    data,
    signature: signature.signature,
    x5u: await chain.text(),
    expectedSubject: subject,
    rootHash: server.config.rootHash,
  });
}

type Bucket = "main" | "main-preview";

/** The subjects a client expects of each collection's signatures: the preview has its own signers. */
const SUBJECTS: Record<Bucket, { recipe: string; collection: string }> = {
  main: { recipe: RECIPE_SIGNER, collection: COLLECTION_SIGNER },
  "main-preview": { recipe: PREVIEW_RECIPE_SIGNER, collection: PREVIEW_COLLECTION_SIGNER },
};

/** Checks a record's own signature as a client of `asBucket` would. */
export function verifyRecord(server: RunningRecipeServer, record: PublishedRecord, asBucket: Bucket = "main") {
  return verify(server, canonicalJSON(record.recipe), record.signature, SUBJECTS[asBucket].recipe);
}

/** Checks the collection signature as a client of `asBucket` would. */
export function verifyCollection(server: RunningRecipeServer, body: RecipesChangeset, asBucket: Bucket = "main") {
  return verify(
    server,
    collectionSignedData(body.changes, body.timestamp),
    body.metadata.signature,
    SUBJECTS[asBucket].collection,
  );
}

export async function createRecipe(
  server: RunningRecipeServer,
  overrides: Record<string, unknown> = {},
): Promise<StoredRecipe> {
  const reply = await postJson<StoredRecipe>(`${server.url}/admin/api/recipes`, {
    ...CONSOLE_LOG_RECIPE,
    ...overrides,
  });
  expect(reply.status).toBe(201);
  return reply.body;
}

export async function publish(server: RunningRecipeServer): Promise<{ timestamp: number; published: number[] }> {
  const reply = await fetchJson<{ timestamp: number; published: number[] }>(`${server.url}/admin/api/publish`, {
    method: "POST",
  });
  expect(reply.status).toBe(200);
  return reply.body;
}
