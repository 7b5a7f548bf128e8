import { describe, expect, it } from "vitest";
import { fetchJson, postJson, useTestServers } from "./serverHarness.js";

describe("server fault mode", () => {
  const servers = useTestServers();
  const changeset = (url: string) => `${url}/v1/buckets/main/collections/normandy-recipes-capabilities/changeset?_expected=0`;

  it("is set, read and cleared through the admin API, and only affects the changeset", async () => {
    const server = await servers.start();
    expect((await fetchJson(`${server.url}/admin/api/fault`)).body).toEqual({ fault: null });

    const set = await postJson(`${server.url}/admin/api/fault`, { kind: "http-status", status: 503, retryAfterSeconds: 120 }, "PUT");
    expect(set.body).toEqual({ fault: { kind: "http-status", status: 503, retryAfterSeconds: 120 } });
    const faulty = await fetch(changeset(server.url));
    expect(faulty.status).toBe(503);
    expect(faulty.headers.get("retry-after")).toBe("120");
    expect((await fetchJson(`${server.url}/admin/api/config`)).status).toBe(200);

    expect((await fetchJson(`${server.url}/admin/api/fault`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(changeset(server.url))).status).toBe(200);
  });

  it("refuses a malformed fault and names the field", async () => {
    const server = await servers.start();
    const unknownKind = await postJson<{ field: string }>(`${server.url}/admin/api/fault`, { kind: "explode" }, "PUT");
    expect(unknownKind.status).toBe(400);
    expect(unknownKind.body.field).toBe("kind");
    const badStatus = await postJson<{ field: string }>(`${server.url}/admin/api/fault`, { kind: "http-status", status: 200 }, "PUT");
    expect(badStatus.body.field).toBe("status");
    const badId = await postJson<{ field: string }>(`${server.url}/admin/api/fault`, { kind: "tamper-recipe", recipeId: "1" }, "PUT");
    expect(badId.body.field).toBe("recipeId");
  });

  it("replay serves an older snapshot, and 404s for one that never existed", async () => {
    const server = await servers.start();
    const first = await server.publish();
    await server.publish();
    server.faults.set({ kind: "replay", timestamp: first.timestamp });
    expect((await fetchJson<{ timestamp: number }>(changeset(server.url))).body.timestamp).toBe(first.timestamp);
    server.faults.set({ kind: "replay", timestamp: 1 });
    expect((await fetch(changeset(server.url))).status).toBe(404);
  });
});
