import { describe, expect, it } from "vitest";
import type { RecipesChangeset } from "../../server/changeset.js";
import { CONSOLE_LOG_RECIPE, fetchJson, postJson, useTestServers } from "./serverHarness.js";

describe("recipe server legacy Normandy API", () => {
  const servers = useTestServers();

  it("indexes its endpoints with absolute URLs", async () => {
    const server = await servers.start();
    const reply = await fetchJson(`${server.url}/api/v1/`);
    expect(reply.body).toEqual({
      "recipe-signed": `${server.url}/api/v1/recipe/signed/`,
      "classify-client": `${server.url}/api/v1/classify_client/`,
      "extension-list": `${server.url}/api/v1/extension/`,
    });
  });

  it("serves the published recipes with the same signatures as the Remote Settings records", async () => {
    const server = await servers.start();
    await postJson(`${server.url}/admin/api/recipes`, { ...CONSOLE_LOG_RECIPE, enabled: true });
    await postJson(`${server.url}/admin/api/recipes`, { ...CONSOLE_LOG_RECIPE, name: "Unpublished" });
    await server.publish();

    const legacy = await fetchJson<unknown[]>(`${server.url}/api/v1/recipe/signed/?enabled=true`);
    const { body } = await fetchJson<RecipesChangeset>(
      `${server.url}/v1/buckets/main/collections/normandy-recipes-capabilities/changeset`,
    );
    expect(legacy.body).toEqual(body.changes.map(({ recipe, signature }) => ({ recipe, signature })));
    expect(legacy.body).toHaveLength(1);
    expect(legacy.body[0]).toMatchObject({
      signature: { signature: expect.any(String), x5u: expect.any(String), timestamp: body.timestamp, public_key: "" },
    });
  });

  it("classifies every client into the configured country at the current time", async () => {
    const server = await servers.start({ country: "DE", now: () => new Date("2024-05-06T07:08:09.000Z") });
    const reply = await fetchJson(`${server.url}/api/v1/classify_client/`);
    expect(reply.body).toEqual({ country: "DE", request_time: "2024-05-06T07:08:09.000Z" });
  });

  it("defaults the classified country to US", async () => {
    const server = await servers.start();
    const reply = await fetchJson<{ country: string; request_time: string }>(`${server.url}/api/v1/classify_client/`);
    expect(reply.body.country).toBe("US");
    expect(new Date(reply.body.request_time).toISOString()).toBe(reply.body.request_time);
  });

  it("404s an extension that was never uploaded", async () => {
    const server = await servers.start();
    const reply = await fetchJson<{ error: string; message: string }>(`${server.url}/api/v1/extension/12/`);
    expect(reply.status).toBe(404);
    expect(reply.headers.get("content-type")).toBe("application/json");
    expect(reply.body.error).toBe("not_found");
  });
});
