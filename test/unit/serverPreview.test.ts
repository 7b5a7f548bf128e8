/**
 * Drafts signed on request into the preview collection (`main-preview`): signed like a published recipe under
 * the same root, validated like a publish, kept apart from the published collection both ways, and subject to
 * the same faults.
 */
import { describe, expect, it } from "vitest";
import type { PublishedRecord } from "../../server/publishedSnapshot.js";
import type { RunningRecipeServer } from "../../server/recipeServer.js";
import { CONSOLE_LOG_RECIPE, fetchJson, postJson, useTestServers } from "./serverHarness.js";
import { createRecipe, fetchChangeset, publish, verifyCollection, verifyRecord } from "./serverCollections.js";

interface PreviewReply {
  timestamp: number;
  record: PublishedRecord;
}

interface ErrorBody {
  error: string;
  message: string;
  field?: string;
  position?: number;
}

const preview = <T = PreviewReply>(server: RunningRecipeServer, id: number) =>
  fetchJson<T>(`${server.url}/admin/api/recipes/${id}/preview`, { method: "POST" });

describe("preview collection", () => {
  const servers = useTestServers();

  it("signs the saved draft, disabled and never published, into a changeset a client verifies", async () => {
    const server = await servers.start();
    const draft = await createRecipe(server, { capabilities: ["capabilities-v1"] });
    expect(draft.enabled).toBe(false);

    const reply = await preview(server, draft.id);

    expect(reply.status).toBe(200);
    const body = await fetchChangeset(server, "main-preview");
    expect(body.metadata).toMatchObject({ id: "normandy-recipes-capabilities", bucket: "main-preview" });
    expect(body.metadata.signatures).toEqual([{ ...body.metadata.signature, mode: "p384ecdsa" }]);
    expect(body.timestamp).toBe(reply.body.timestamp);
    expect(body.changes).toEqual([reply.body.record]);
    expect(reply.body.record).toEqual({
      id: String(draft.id),
      recipe: {
        id: draft.id,
        name: "Say hello",
        revision_id: "1",
        action: "console-log",
        arguments: { message: "hello" },
        filter_expression: "true",
        capabilities: ["action.console-log", "capabilities-v1"],
      },
      signature: {
        signature: expect.stringMatching(/^[A-Za-z0-9_-]{128}$/),
        x5u: `${server.url}/chains/normandy-preview.content-signature.local.pem`,
        public_key: "",
        timestamp: reply.body.timestamp,
      },
      last_modified: reply.body.timestamp,
    });
    await expect(verifyCollection(server, body, "main-preview")).resolves.toBeDefined();
    await expect(verifyRecord(server, body.changes[0]!, "main-preview")).resolves.toBeDefined();
  });

  it("signs previews with their own certificates: a preview never verifies as the published collection", async () => {
    const server = await servers.start();
    const draft = await createRecipe(server);
    await preview(server, draft.id);
    await publish(server);
    const previewBody = await fetchChangeset(server, "main-preview");
    const publishedBody = await fetchChangeset(server, "main");
    // A preview served in place of the published collection (what a hostile network could try) fails both checks.
    await expect(verifyCollection(server, previewBody, "main")).rejects.toMatchObject({ code: "wrong-subject" });
    await expect(verifyRecord(server, previewBody.changes[0]!, "main")).rejects.toMatchObject({
      code: "wrong-subject",
    });
    // ... and the published collection does not pass for a preview either.
    await expect(verifyCollection(server, publishedBody, "main-preview")).rejects.toMatchObject({
      code: "wrong-subject",
    });
  });

  it("serves an empty signed preview collection before any preview, and honours _since", async () => {
    const server = await servers.start();
    const empty = await fetchChangeset(server, "main-preview");
    expect(empty.changes).toEqual([]);
    await verifyCollection(server, empty, "main-preview");

    const draft = await createRecipe(server);
    const { timestamp } = (await preview(server, draft.id)).body;
    expect((await fetchChangeset(server, "main-preview", `?_since="${empty.timestamp}"`)).changes).toHaveLength(1);
    expect((await fetchChangeset(server, "main-preview", `?_since="${timestamp}"`)).changes).toEqual([]);
  });

  it("keeps the latest signed draft per recipe, with a strictly increasing timestamp at every preview", async () => {
    const server = await servers.start();
    const first = await createRecipe(server);
    const second = await createRecipe(server, { name: "Second" });

    const a = (await preview(server, first.id)).body;
    const b = (await preview(server, second.id)).body;
    const edited = await postJson(
      `${server.url}/admin/api/recipes/${first.id}`,
      { ...CONSOLE_LOG_RECIPE, arguments: { message: "edited" } },
      "PUT",
    );
    expect(edited.status).toBe(200);
    const c = (await preview(server, first.id)).body;
    const d = (await preview(server, first.id)).body;

    expect(b.timestamp).toBeGreaterThan(a.timestamp);
    expect(c.timestamp).toBeGreaterThan(b.timestamp);
    expect(d.timestamp).toBeGreaterThan(c.timestamp);
    expect(c.record.recipe).toMatchObject({ revision_id: "2", arguments: { message: "edited" } });
    const body = await fetchChangeset(server, "main-preview");
    expect(body.timestamp).toBe(d.timestamp);
    expect(body.changes.map((record) => [record.id, record.recipe.revision_id])).toEqual([
      [String(first.id), "2"],
      [String(second.id), "1"],
    ]);
    await verifyCollection(server, body, "main-preview");
    for (const record of body.changes) await verifyRecord(server, record, "main-preview");
  });

  it("refuses an invalid draft with 400 naming the recipe and the field, and signs nothing", async () => {
    const server = await servers.start();
    const before = await fetchChangeset(server, "main-preview");
    // Stored without the API's checks, as a recipe saved before a check existed would be.
    const badFilter = server.store.create({ ...CONSOLE_LOG_RECIPE, capabilities: [], filter_expression: "1 +" }, false);
    const badArguments = server.store.create({ ...CONSOLE_LOG_RECIPE, capabilities: [], arguments: {} }, false);

    const filterReply = await preview<ErrorBody>(server, badFilter.id);
    const argumentsReply = await preview<ErrorBody>(server, badArguments.id);

    expect(filterReply.status).toBe(400);
    expect(filterReply.body).toMatchObject({ field: "filter_expression", position: 3 });
    expect(filterReply.body.message).toContain(`recipe ${badFilter.id} ("Say hello") cannot be signed as a preview`);
    expect(argumentsReply.status).toBe(400);
    expect(argumentsReply.body.field).toMatch(/^arguments/);
    expect(argumentsReply.body.message).toContain(`recipe ${badArguments.id} ("Say hello") cannot be signed`);
    expect(await fetchChangeset(server, "main-preview")).toEqual(before);
  });

  it("answers 404 for an unknown recipe, and refuses a request body", async () => {
    const server = await servers.start();
    const missing = await preview<ErrorBody>(server, 999);
    expect([missing.status, missing.body.error]).toEqual([404, "not_found"]);

    const draft = await createRecipe(server);
    const before = await fetchChangeset(server, "main-preview");
    const withBody = await postJson<ErrorBody>(`${server.url}/admin/api/recipes/${draft.id}/preview`, {});
    expect([withBody.status, withBody.body.error]).toEqual([400, "unexpected_body"]);
    expect(await fetchChangeset(server, "main-preview")).toEqual(before);
  });

  it("never touches the published collection or monitor/changes; publishing never touches previews", async () => {
    const server = await servers.start();
    const published = await createRecipe(server, { enabled: true });
    const draft = await createRecipe(server, { name: "Draft only" });
    await publish(server);
    const main = await fetchChangeset(server);
    const monitor = await fetchJson(`${server.url}/v1/buckets/monitor/collections/changes/changeset`);
    const snapshots = await fetchJson(`${server.url}/admin/api/snapshots`);

    await preview(server, draft.id);
    await preview(server, published.id);

    expect(await fetchChangeset(server)).toEqual(main);
    expect(await fetchJson(`${server.url}/v1/buckets/monitor/collections/changes/changeset`)).toMatchObject({
      body: monitor.body,
    });
    expect((await fetchJson(`${server.url}/admin/api/snapshots`)).body).toEqual(snapshots.body);

    const previews = await fetchChangeset(server, "main-preview");
    await publish(server);
    expect(await fetchChangeset(server, "main-preview")).toEqual(previews);
    expect((await fetchChangeset(server)).changes.map((record) => record.id)).toEqual([String(published.id)]);
  });

  it("serves a tampered preview under the tamper-recipe fault: that record's own signature fails, the collection verifies", async () => {
    const server = await servers.start();
    const tampered = await createRecipe(server);
    const intact = await createRecipe(server, { name: "Intact" });
    await preview(server, tampered.id);
    await preview(server, intact.id);

    server.faults.set({ kind: "tamper-recipe", recipeId: tampered.id });
    const body = await fetchChangeset(server, "main-preview");

    const [bad, good] = body.changes;
    expect(bad!.recipe.arguments).toMatchObject({ tampered: true });
    await verifyCollection(server, body, "main-preview");
    await expect(verifyRecord(server, bad!, "main-preview")).rejects.toMatchObject({ code: "signature-mismatch" });
    await verifyRecord(server, good!, "main-preview");
  });

  it("applies the other changeset faults to the preview too, replaying an older preview", async () => {
    const server = await servers.start();
    const draft = await createRecipe(server);
    const first = (await preview(server, draft.id)).body;
    await postJson(`${server.url}/admin/api/recipes/${draft.id}`, { ...CONSOLE_LOG_RECIPE, name: "Renamed" }, "PUT");
    await preview(server, draft.id);

    server.faults.set({ kind: "replay", timestamp: first.timestamp });
    const replayed = await fetchChangeset(server, "main-preview");
    expect([replayed.timestamp, replayed.changes[0]!.recipe.name]).toEqual([first.timestamp, "Say hello"]);
    // The published collection, which has no such snapshot, is served as it is meanwhile.
    const published = await fetchChangeset(server, "main");
    expect(published.timestamp).not.toBe(first.timestamp);
    server.faults.set({ kind: "http-status", status: 503 });
    expect(
      (await fetch(`${server.url}/v1/buckets/main-preview/collections/normandy-recipes-capabilities/changeset`)).status,
    ).toBe(503);
  });
});
