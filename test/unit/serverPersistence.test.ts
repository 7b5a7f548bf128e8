import { copyFile, readdir } from "node:fs/promises";
import { get } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalJSON } from "../../src/core/canonicalJson.js";
import { collectionSignedData } from "../../src/core/collectionSignedData.js";
import { verifyContentSignature } from "../../src/core/contentSignature.js";
import type { RecipesChangeset } from "../../server/changeset.js";
import { DATABASE_FILE_NAME } from "../../server/database.js";
import type { RunningRecipeServer } from "../../server/recipeServer.js";
import { RecipeStore } from "../../server/recipeStore.js";
import { SCHEMA_MIGRATIONS } from "../../server/schemaMigrations.js";
import { SqliteFileDatabase } from "../../server/sqliteFileDatabase.js";
import { CONSOLE_LOG_RECIPE, useTestServers } from "./serverHarness.js";

/**
 * The changeset, over a connection of its own (`agent: false`): fetch keeps connections alive in a pool, and one
 * kept to the first server could still be taken for the second server on the same port, which then finds it
 * closed ("other side closed").
 */
function changeset(server: RunningRecipeServer): Promise<RecipesChangeset> {
  const url = `${server.url}/v1/buckets/main/collections/normandy-recipes-capabilities/changeset`;
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => {
        try {
          resolve(JSON.parse(text) as RecipesChangeset);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    }).on("error", reject);
  });
}

async function expectSignaturesValid(server: RunningRecipeServer, body: RecipesChangeset): Promise<void> {
  const pemAt = async (url: string) => (await fetch(url)).text();
  for (const record of body.changes) {
    await verifyContentSignature({
      data: canonicalJSON(record.recipe),
      signature: record.signature.signature,
      x5u: await pemAt(record.signature.x5u),
      expectedSubject: "normandy.content-signature.mozilla.org",
      rootHash: server.config.rootHash,
    });
  }
  await verifyContentSignature({
    data: collectionSignedData(body.changes, body.timestamp),
    signature: body.metadata.signature.signature,
    x5u: await pemAt(body.metadata.signature.x5u),
    expectedSubject: "remote-settings.content-signature.mozilla.org",
    rootHash: server.config.rootHash,
  });
}

describe("recipe server persistence", () => {
  const servers = useTestServers();

  it("keeps recipes, the published snapshot and the root across a restart on the same port", async () => {
    const dataDir = await servers.newDataDir();
    const first = await servers.start({ dataDir });
    expect(first.firstStart).toBe(true);
    const kept = first.store.create({ ...CONSOLE_LOG_RECIPE, arguments: { message: "kept" }, capabilities: [] }, true);
    const published = await first.publish();
    first.store.create({ ...CONSOLE_LOG_RECIPE, name: "Draft", arguments: { message: "draft" }, capabilities: [] });
    const before = await changeset(first);
    await first.close();

    const second = await servers.start({ dataDir, port: first.port });
    expect(second.firstStart).toBe(false);
    expect(second.config.rootHash).toBe(first.config.rootHash);
    expect(second.store.list().map((recipe) => recipe.name)).toEqual(["Say hello", "Draft"]);
    expect(second.store.get(kept.id)).toEqual(kept);
    const after = await changeset(second);
    expect(after).toEqual(before);
    expect(after.timestamp).toBe(published.timestamp);
    await expectSignaturesValid(second, after);
  });

  it("re-publishes the last published recipes for a new URL when the port changes", async () => {
    const dataDir = await servers.newDataDir();
    const first = await servers.start({ dataDir });
    first.store.create({ ...CONSOLE_LOG_RECIPE, capabilities: [] }, true);
    const published = await first.publish();
    first.store.create({ ...CONSOLE_LOG_RECIPE, name: "Draft", capabilities: [] }, true);
    await first.close();

    const second = await servers.start({ dataDir });
    expect(second.port).not.toBe(first.port);
    const after = await changeset(second);
    expect(after.timestamp).toBeGreaterThan(published.timestamp);
    expect(after.changes.map((record) => record.recipe)).toEqual(published.records.map((record) => record.recipe));
    for (const record of after.changes) expect(record.signature.x5u.startsWith(`${second.url}/`)).toBe(true);
    expect(after.metadata.signature.x5u.startsWith(`${second.url}/`)).toBe(true);
    await expectSignaturesValid(second, after);
  });

  it("has every change on disk when the call returns, without leftover temporary files", async () => {
    const dataDir = await servers.newDataDir();
    const server = await servers.start({ dataDir });
    const created = server.store.create({ ...CONSOLE_LOG_RECIPE, capabilities: ["x"] }, true);

    // Read the files as they are now, while the server still runs, through a copy: the database and its
    // write-ahead log, which holds the commits not yet checkpointed into the database file.
    const copyDir = await servers.newDataDir();
    for (const suffix of ["", "-wal"]) {
      await copyFile(join(dataDir, DATABASE_FILE_NAME + suffix), join(copyDir, DATABASE_FILE_NAME + suffix));
    }
    const copy = await SqliteFileDatabase.open(copyDir);
    expect(new RecipeStore(copy, () => new Date()).list()).toEqual([created]);
    copy.close();
    expect((await readdir(dataDir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("records the schema version and refuses a database from a newer server", async () => {
    const dataDir = await servers.newDataDir();
    const database = await SqliteFileDatabase.open(dataDir);
    expect(database.isNew).toBe(true);
    expect(database.schemaVersion).toBe(SCHEMA_MIGRATIONS.length);
    database.write(() => database.run(`PRAGMA user_version = ${SCHEMA_MIGRATIONS.length + 1}`));
    database.close();

    await expect(SqliteFileDatabase.open(dataDir)).rejects.toThrow(/newer than this server understands/);
  });

  it("rolls back a write that throws, in memory and on disk", async () => {
    const dataDir = await servers.newDataDir();
    const database = await SqliteFileDatabase.open(dataDir);
    const store = new RecipeStore(database, () => new Date());
    expect(() =>
      database.write(() => {
        store.create({ ...CONSOLE_LOG_RECIPE, capabilities: [] });
        throw new Error("abort");
      }),
    ).toThrow("abort");
    expect(store.list()).toEqual([]);
    database.close();

    const reopened = await SqliteFileDatabase.open(dataDir);
    expect(new RecipeStore(reopened, () => new Date()).list()).toEqual([]);
    reopened.close();
  });
});
