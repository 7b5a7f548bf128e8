import { describe, expect, it } from "vitest";
import { canonicalJSON } from "../../src/core/canonicalJson.js";
import { collectionSignedData } from "../../src/core/collectionSignedData.js";
import type { RecipesChangeset } from "../../server/changeset.js";
import type { RunningRecipeServer } from "../../server/recipeServer.js";
import { CONSOLE_LOG_RECIPE, fetchJson, postJson, useTestServers } from "./serverHarness.js";
import { createRecipe, fetchChangeset, publish, verify, verifyCollection, verifyRecord } from "./serverCollections.js";

const changeset = (server: RunningRecipeServer): Promise<RecipesChangeset> => fetchChangeset(server);

describe("recipe server publishing", () => {
  const servers = useTestServers();

  it("serves an empty, signed collection before anything is published", async () => {
    const server = await servers.start();
    const body = await changeset(server);

    expect(body.changes).toEqual([]);
    expect(body.timestamp).toEqual(expect.any(Number));
    expect(body.metadata).toMatchObject({
      id: "normandy-recipes-capabilities",
      bucket: "main",
      signature: { x5u: `${server.url}/chains/remote-settings.content-signature.mozilla.org.pem` },
    });
    expect(body.metadata.signatures).toEqual([{ ...body.metadata.signature, mode: "p384ecdsa" }]);
    await verifyCollection(server, body);
  });

  it("publishes enabled recipes as signed Normandy records, and only on publish", async () => {
    const server = await servers.start();
    const enabled = await createRecipe(server, {
      enabled: true,
      capabilities: ["jexl.transform.date", "capabilities-v1"],
    });
    await createRecipe(server, { name: "Disabled" });
    expect((await changeset(server)).changes).toEqual([]);

    const { timestamp, published } = await publish(server);
    const body = await changeset(server);

    expect(published).toEqual([enabled.id]);
    expect(body.timestamp).toBe(timestamp);
    expect(body.changes).toEqual([
      {
        id: String(enabled.id),
        recipe: {
          id: enabled.id,
          name: "Say hello",
          revision_id: "1",
          action: "console-log",
          arguments: { message: "hello" },
          filter_expression: "true",
          capabilities: ["action.console-log", "capabilities-v1", "jexl.transform.date"],
        },
        signature: {
          signature: expect.stringMatching(/^[A-Za-z0-9_-]{128}$/),
          x5u: `${server.url}/chains/normandy.content-signature.mozilla.org.pem`,
          public_key: "",
          timestamp,
        },
        last_modified: timestamp,
      },
    ]);
    await verifyRecord(server, body.changes[0]!);
    await verifyCollection(server, body);
  });

  it("signs records that fail verification for a tampered recipe or the wrong signer", async () => {
    const server = await servers.start();
    await createRecipe(server, { enabled: true });
    await publish(server);
    const [record] = (await changeset(server)).changes;

    const tampered = { ...record!, recipe: { ...record!.recipe, filter_expression: "false" } };
    await expect(verifyRecord(server, tampered)).rejects.toMatchObject({ code: "signature-mismatch" });
    await expect(
      verify(server, canonicalJSON(record!.recipe), record!.signature, "remote-settings.content-signature.mozilla.org"),
    ).rejects.toMatchObject({ code: "wrong-subject" });
  });

  it("gives every publish a strictly greater timestamp, even within one millisecond", async () => {
    const frozen = new Date();
    const server = await servers.start({ now: () => frozen });
    const first = (await changeset(server)).timestamp;
    const second = (await publish(server)).timestamp;
    const third = (await publish(server)).timestamp;

    expect(first).toBe(frozen.getTime());
    expect(second).toBe(first + 1);
    expect(third).toBe(first + 2);
    const monitor = await fetchJson<{ changes: { last_modified: number }[]; timestamp: number }>(
      `${server.url}/v1/buckets/monitor/collections/changes/changeset?_expected=0`,
    );
    expect(monitor.body).toMatchObject({
      changes: [{ bucket: "main", collection: "normandy-recipes-capabilities", last_modified: third }],
      timestamp: third,
    });
  });

  it("keeps unchanged records and re-signs edited ones", async () => {
    const server = await servers.start();
    const kept = await createRecipe(server, { enabled: true });
    const edited = await createRecipe(server, { enabled: true, name: "Before" });
    await publish(server);
    const before = await changeset(server);

    await postJson(`${server.url}/admin/api/recipes/${edited.id}`, { ...CONSOLE_LOG_RECIPE, name: "After" }, "PUT");
    await publish(server);
    const after = await changeset(server);

    const byId = (body: RecipesChangeset, id: number) => body.changes.find((record) => record.recipe.id === id);
    expect(byId(after, kept.id)).toEqual(byId(before, kept.id));
    expect(byId(after, edited.id)).toMatchObject({
      recipe: { name: "After", revision_id: "2" },
      last_modified: after.timestamp,
    });
    await verifyRecord(server, byId(after, edited.id)!);
    await verifyCollection(server, after);
  });

  it("drops disabled and deleted recipes on the next publish, not before", async () => {
    const server = await servers.start();
    const disabled = await createRecipe(server, { enabled: true });
    const deleted = await createRecipe(server, { enabled: true });
    await publish(server);
    await fetch(`${server.url}/admin/api/recipes/${disabled.id}/disable`, { method: "POST" });
    await fetch(`${server.url}/admin/api/recipes/${deleted.id}`, { method: "DELETE" });
    expect((await changeset(server)).changes).toHaveLength(2);

    await publish(server);
    const body = await changeset(server);
    expect(body.changes).toEqual([]);
    await verifyCollection(server, body);
  });

  it("signs the collection over records sorted by id as strings, the way Remote Settings clients check it", async () => {
    const server = await servers.start();
    for (let i = 0; i < 11; i++) await createRecipe(server, { enabled: true, name: `Recipe ${i + 1}` });
    await publish(server);
    const body = await changeset(server);

    expect(body.changes.map((record) => record.recipe.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const shuffled = { ...body, changes: [...body.changes].reverse() };
    await verifyCollection(server, shuffled);
    expect(collectionSignedData(body.changes, body.timestamp)).toMatch(
      /^\{"data":\[\{"id":"1",.*\{"id":"10",.*\{"id":"11",.*\{"id":"2",/,
    );
  });

  it("keeps every published snapshot so an older changeset can be replayed", async () => {
    const server = await servers.start();
    const initial = (await changeset(server)).timestamp;
    await createRecipe(server, { enabled: true });
    const { timestamp: withRecipe } = await publish(server);

    const history = await fetchJson<{ timestamps: number[] }>(`${server.url}/admin/api/snapshots`);
    expect(history.body.timestamps).toEqual([initial, withRecipe]);
    const old = await fetchJson<RecipesChangeset>(`${server.url}/admin/api/snapshots/${initial}`);
    expect(old.body.changes).toEqual([]);
    expect(old.body.timestamp).toBe(initial);
    await verifyCollection(server, old.body);
    expect((await fetchJson(`${server.url}/admin/api/snapshots/12345`)).status).toBe(404);
  });

  it("serves only the recipes collection", async () => {
    const server = await servers.start();
    const reply = await fetchJson<{ error: string }>(`${server.url}/v1/buckets/main/collections/other/changeset`);
    expect(reply.status).toBe(404);
    expect(reply.body.error).toBe("not_found");
  });

  it("answers the Remote Settings root", async () => {
    const server = await servers.start();
    const reply = await fetchJson(`${server.url}/v1/`);
    expect(reply.body).toEqual({ project_name: "recipe-server", http_api_version: "1.22", url: `${server.url}/v1/` });
  });

  it("serves the signers' PEM chains, leaf first", async () => {
    const server = await servers.start();
    for (const signer of ["normandy.content-signature.mozilla.org", "remote-settings.content-signature.mozilla.org"]) {
      const reply = await fetch(`${server.url}/chains/${signer}.pem`);
      expect(reply.status).toBe(200);
      expect(reply.headers.get("content-type")).toBe("application/x-pem-file");
      const pem = await reply.text();
      expect(pem.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(3);
    }
    expect((await fetch(`${server.url}/chains/someone-else.pem`)).status).toBe(404);
  });
});
