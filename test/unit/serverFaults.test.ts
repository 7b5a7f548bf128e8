import { describe, expect, it } from "vitest";
import { fetchJson, postJson, useTestServers } from "./serverHarness.js";

describe("server fault mode", () => {
  const servers = useTestServers();
  const changeset = (url: string) =>
    `${url}/v1/buckets/main/collections/normandy-recipes-capabilities/changeset?_expected=0`;

  it("is set, read and cleared through the admin API, and only affects the changeset", async () => {
    const server = await servers.start();
    expect((await fetchJson(`${server.url}/admin/api/fault`)).body).toEqual({ fault: null });

    const set = await postJson(
      `${server.url}/admin/api/fault`,
      { kind: "http-status", status: 503, retryAfterSeconds: 120 },
      "PUT",
    );
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
    const badStatus = await postJson<{ field: string }>(
      `${server.url}/admin/api/fault`,
      { kind: "http-status", status: 200 },
      "PUT",
    );
    expect(badStatus.body.field).toBe("status");
    const badId = await postJson<{ field: string }>(
      `${server.url}/admin/api/fault`,
      { kind: "tamper-recipe", recipeId: "1" },
      "PUT",
    );
    expect(badId.body.field).toBe("recipeId");
    for (const [fault, field] of [
      [{ kind: "slow-response", delayMs: -1 }, "delayMs"],
      [{ kind: "oversized-body", bytes: 0 }, "bytes"],
      [{ kind: "foreign-x5u", origin: "not a url" }, "origin"],
    ] as const) {
      const refused = await postJson<{ field: string }>(`${server.url}/admin/api/fault`, fault, "PUT");
      expect([refused.status, refused.body.field]).toEqual([400, field]);
    }
  });

  it("serves each changeset fault as described", async () => {
    const server = await servers.start();
    await server.publish();
    const served = async () => {
      const response = await fetch(changeset(server.url));
      return { type: response.headers.get("content-type"), text: await response.text() };
    };
    const healthy = await served();

    server.faults.set({ kind: "malformed-json" });
    const malformed = (await served()).text;
    expect(() => JSON.parse(malformed)).toThrow(SyntaxError);
    server.faults.set({ kind: "oversized-body", bytes: 2_000_000 });
    const oversized = await served();
    expect([oversized.text.length, JSON.parse(oversized.text)]).toEqual([2_000_000, JSON.parse(healthy.text)]);
    server.faults.set({ kind: "wrong-content-type" });
    expect(await served()).toEqual({ type: "text/html; charset=utf-8", text: healthy.text });
    server.faults.set({ kind: "wrong-x5u" });
    expect(JSON.parse((await served()).text).metadata.signature.x5u).toMatch(
      /\/chains\/normandy\.content-signature\.mozilla\.org\.pem$/,
    );
    server.faults.set({ kind: "foreign-x5u", origin: "http://elsewhere.test:8000" });
    const foreign = new URL(JSON.parse((await served()).text).metadata.signature.x5u as string);
    const own = new URL(JSON.parse(healthy.text).metadata.signature.x5u as string);
    expect([foreign.origin, foreign.pathname]).toEqual(["http://elsewhere.test:8000", own.pathname]);
    server.faults.set({ kind: "slow-response", delayMs: 300 });
    const started = Date.now();
    expect((await served()).text).toBe(healthy.text);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    server.faults.set({ kind: "drop-connection" });
    await expect(fetch(changeset(server.url))).rejects.toThrow();
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
