/**
 * `_since` on the recipes changeset: the faithful changeset lists no changes when the client's timestamp is
 * current, and all records otherwise. A fault ignores `_since`: its full, faulty answer bites at once.
 */
import { describe, expect, it } from "vitest";
import type { ServerFault } from "../../server/faults.js";
import type { RunningRecipeServer } from "../../server/recipeServer.js";
import type { SignatureRef } from "../../src/core/index.js";
import { RemoteSettingsClient } from "../../src/delivery/RemoteSettingsClient.js";
import { CONSOLE_LOG_RECIPE, useTestServers } from "./serverHarness.js";

const CHANGESET_PATH = "/v1/buckets/main/collections/normandy-recipes-capabilities/changeset?_expected=0";

interface ServedChangeset {
  timestamp: number;
  metadata: { signature: SignatureRef };
  changes: { id: string }[];
}

/** The changeset, asked for the changes since `since` (the raw `_since` value) when given. */
async function getChangeset(server: RunningRecipeServer, since?: string): Promise<ServedChangeset> {
  const query = since === undefined ? "" : `&_since=${encodeURIComponent(since)}`;
  const response = await fetch(`${server.url}${CHANGESET_PATH}${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as ServedChangeset;
}

describe("recipes changeset _since", () => {
  const servers = useTestServers();

  /** A server that has published one recipe. */
  async function publishedServer(): Promise<RunningRecipeServer> {
    const server = await servers.start();
    server.store.create({ ...CONSOLE_LOG_RECIPE, capabilities: [] }, true);
    await server.publish();
    return server;
  }

  it("lists no changes, with the same signature and timestamp, for a _since equal to or newer than the timestamp", async () => {
    const server = await publishedServer();
    const full = await getChangeset(server);
    expect(full.changes).toHaveLength(1);
    for (const since of [`${full.timestamp}`, `${full.timestamp + 1}`, `"${full.timestamp}"`]) {
      expect(await getChangeset(server, since), since).toEqual({ ...full, changes: [] });
    }
  });

  it("lists every record for an older _since, and for a malformed one", async () => {
    const server = await publishedServer();
    const full = await getChangeset(server);
    const malformed = ["", "-1", "abc", `${full.timestamp}.5`, "1e20", `${full.timestamp}x`, `"${full.timestamp}`];
    for (const since of [`${full.timestamp - 1}`, "0", ...malformed]) {
      expect(await getChangeset(server, since), since).toEqual(full);
    }
  });

  it("answers the old _since, after a publish, with the full new list", async () => {
    const server = await publishedServer();
    const before = await getChangeset(server);
    server.store.create({ ...CONSOLE_LOG_RECIPE, name: "Say hello again", capabilities: [] }, true);
    await server.publish();

    const after = await getChangeset(server, `${before.timestamp}`);
    expect(after.timestamp).toBeGreaterThan(before.timestamp);
    expect(after.changes).toHaveLength(2);
    expect(after).toEqual(await getChangeset(server));
  });

  it.each<[string, (first: ServedChangeset) => ServerFault]>([
    ["tamper-recipe", () => ({ kind: "tamper-recipe", recipeId: 1 })],
    ["replay", (first) => ({ kind: "replay", timestamp: first.timestamp })],
  ])("ignores _since under a %s fault", async (_kind, fault) => {
    const server = await publishedServer();
    const first = await getChangeset(server);
    server.store.create({ ...CONSOLE_LOG_RECIPE, name: "Say hello again", capabilities: [] }, true);
    await server.publish();
    const current = await getChangeset(server);
    server.faults.set(fault(first));

    const faulty = await getChangeset(server);
    expect(faulty.changes.length).toBeGreaterThan(0);
    // Lengths and ids, not whole bodies: a tampered collection is signed anew (ECDSA: other bytes) on every request.
    for (const since of [`${current.timestamp}`, `${faulty.timestamp}`]) {
      const answer = await getChangeset(server, since);
      expect([answer.timestamp, answer.changes.map(({ id }) => id)], since).toEqual([
        faulty.timestamp,
        faulty.changes.map(({ id }) => id),
      ]);
    }
  });

  it("honours _since under an XPI fault, which leaves the changeset alone", async () => {
    const server = await publishedServer();
    const full = await getChangeset(server);
    server.faults.set({ kind: "corrupt-xpi", extensionId: 1 });
    expect(await getChangeset(server, `${full.timestamp}`)).toEqual({ ...full, changes: [] });
  });

  it("gives RemoteSettingsClient its previous changeset object back until the server publishes", async () => {
    const server = await publishedServer();
    const client = new RemoteSettingsClient(server.config.remoteSettingsUrl);
    const first = await client.fetchChangeset(0);
    expect(await client.fetchChangeset(first.timestamp, first)).toBe(first);

    await server.publish();
    const second = await client.fetchChangeset(first.timestamp, first);
    expect(second).not.toBe(first);
    expect(second.timestamp).toBeGreaterThan(first.timestamp);
    expect(second.records).toHaveLength(1);
  });
});
