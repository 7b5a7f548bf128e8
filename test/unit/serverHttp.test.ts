import { describe, expect, it } from "vitest";
import { CONSOLE_LOG_RECIPE, fetchJson, postJson, useTestServers } from "./serverHarness.js";

const GET_PATHS = [
  "/",
  "/healthz",
  "/v1/",
  "/v1/buckets/main/collections/normandy-recipes-capabilities/changeset?_expected=1",
  "/v1/buckets/monitor/collections/changes/changeset",
  "/chains/normandy.content-signature.mozilla.org.pem",
  "/api/v1/",
  "/api/v1/recipe/signed/",
  "/api/v1/classify_client/",
  "/api/v1/extension/1/",
  "/admin/api/recipes",
  "/admin/api/config",
  "/no/such/thing",
];

describe("recipe server HTTP behaviour", () => {
  const servers = useTestServers();

  it("answers the health check", async () => {
    const server = await servers.start();
    const reply = await fetchJson(`${server.url}/healthz`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ok: true });
  });

  it("sends CORS for any origin and never a cookie, on successes and errors alike", async () => {
    const server = await servers.start();
    const responses = [
      ...(await Promise.all(GET_PATHS.map((path) => fetch(`${server.url}${path}`)))),
      await fetch(`${server.url}/admin/api/recipes`, { method: "POST", body: "not json" }),
      await fetch(`${server.url}/admin/api/publish`, { method: "POST" }),
    ];
    for (const response of responses) {
      expect(response.headers.get("access-control-allow-origin"), response.url).toBe("*");
      expect(response.headers.get("set-cookie"), response.url).toBeNull();
      await response.arrayBuffer();
    }
  });

  it("uses application/json for JSON answers", async () => {
    const server = await servers.start();
    for (const path of GET_PATHS.filter((p) => p !== "/" && !p.startsWith("/chains/"))) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.headers.get("content-type"), path).toBe("application/json");
      await response.json();
    }
  });

  it("answers unknown paths with a JSON 404 and wrong methods with a 405 listing the allowed ones", async () => {
    const server = await servers.start();
    const missing = await fetchJson<{ error: string; message: string }>(`${server.url}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: "not_found", message: expect.stringContaining("/nope") });

    const wrongMethod = await fetchJson<{ error: string }>(`${server.url}/admin/api/publish`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error).toBe("method_not_allowed");
    expect(wrongMethod.headers.get("allow")).toBe("POST");
  });

  it("answers CORS preflights", async () => {
    const server = await servers.start();
    const response = await fetch(`${server.url}/admin/api/recipes`, {
      method: "OPTIONS",
      headers: { Origin: "moz-extension://abc", "Access-Control-Request-Method": "POST" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
    expect(response.headers.get("access-control-allow-headers")).toContain("Content-Type");
  });

  it("answers HEAD like GET without a body", async () => {
    const server = await servers.start();
    const response = await fetch(`${server.url}/healthz`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(String(JSON.stringify({ ok: true }).length));
    expect(await response.text()).toBe("");
  });

  it("lets only its own pages and extensions change recipes from a browser", async () => {
    const server = await servers.start();
    const fromOrigin = (origin: string) =>
      fetchJson<{ error: string }>(`${server.url}/admin/api/publish`, { method: "POST", headers: { Origin: origin } });

    const foreign = await fromOrigin("https://example.com");
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toBe("forbidden_origin");
    expect((await fromOrigin(server.url)).status).toBe(200);
    expect((await fromOrigin("moz-extension://0a1b2c3d")).status).toBe(200);
    const read = await fetch(`${server.url}/admin/api/recipes`, { headers: { Origin: "https://example.com" } });
    expect(read.status).toBe(200);
  });

  it("refuses request bodies over 1 MiB", async () => {
    const server = await servers.start();
    const reply = await fetchJson<{ error: string }>(`${server.url}/admin/api/recipes`, {
      method: "POST",
      body: JSON.stringify({ ...CONSOLE_LOG_RECIPE, arguments: { message: "x".repeat(1024 * 1024) } }),
    });
    expect(reply.status).toBe(413);
    expect(reply.body.error).toBe("body_too_large");
  });

  it("refuses a body sent to an endpoint that takes none, before acting on the request", async () => {
    const server = await servers.start();
    const before = (await fetchJson<{ timestamps: number[] }>(`${server.url}/admin/api/snapshots`)).body.timestamps;
    const recipe = await postJson<{ id: number }>(`${server.url}/admin/api/recipes`, CONSOLE_LOG_RECIPE);

    const publish = await postJson<{ error: string; message: string }>(`${server.url}/admin/api/publish`, {
      recipes: [recipe.body.id],
    });
    const enable = await postJson<{ error: string }>(`${server.url}/admin/api/recipes/${recipe.body.id}/enable`, {
      enabled: true,
    });
    const remove = await postJson<{ error: string }>(`${server.url}/admin/api/recipes/${recipe.body.id}`, {}, "DELETE");

    expect(publish.status).toBe(400);
    expect(publish.body).toMatchObject({
      error: "unexpected_body",
      message: "POST /admin/api/publish takes no request body; send it without one",
    });
    expect([enable.status, enable.body.error, remove.status, remove.body.error]).toEqual([
      400,
      "unexpected_body",
      400,
      "unexpected_body",
    ]);
    expect((await fetchJson<{ timestamps: number[] }>(`${server.url}/admin/api/snapshots`)).body.timestamps).toEqual(
      before,
    );
    expect(
      (await fetchJson<{ enabled: boolean }>(`${server.url}/admin/api/recipes/${recipe.body.id}`)).body.enabled,
    ).toBe(false);
  });

  describe("start page", () => {
    it("is an accessible HTML page with the settings QA needs", async () => {
      const server = await servers.start();
      const response = await fetch(`${server.url}/`);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const page = await response.text();

      expect(page).toMatch(/^<!DOCTYPE html>\s*<html lang="en">/);
      expect(page).toContain("<title>Local recipe server</title>");
      expect(page).toContain(server.config.rootHash);
      // Exactly the prefs the add-on reads, and as user.js lines; no bare server URL to mistake for one.
      expect(page).toContain(
        `<th scope="row"><code>extensions.recipeclient.server_url</code></th><td><code>${server.url}/v1</code></td>`,
      );
      expect(page).toContain(`user_pref(&#34;extensions.recipeclient.server_url&#34;, &#34;${server.url}/v1&#34;);`);
      expect(page).not.toContain("Server URL");
      expect(page).toContain(server.url);
      expect(page.match(/<caption>/g)).toHaveLength(4);
      expect(page).toContain('<th scope="col">Published</th>');
      expect(page).toContain("No recipes yet.");
    });

    it("allows scripts only from the server itself, never inline", async () => {
      const server = await servers.start();
      const csp = (await fetch(`${server.url}/`)).headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(await (await fetch(`${server.url}/`)).text()).toContain(
        '<script src="/static/recipes-page.js" defer></script>',
      );
      const missing = await fetch(`${server.url}/static/not-a-script.js`);
      expect(missing.status).toBe(404);
    });

    it("has an editor page for new recipes and for each existing one", async () => {
      const server = await servers.start();
      const { body } = await postJson<{ id: number }>(`${server.url}/admin/api/recipes`, CONSOLE_LOG_RECIPE);
      const created = await (await fetch(`${server.url}/recipes/new`)).text();
      expect(created).toContain("<title>New recipe</title>");
      expect(created).toContain('data-recipe-id=""');
      expect(created).toContain('<option value="multi-preference-experiment">multi-preference-experiment</option>');
      const edited = await (await fetch(`${server.url}/recipes/${body.id}`)).text();
      expect(edited).toContain(`data-recipe-id="${body.id}"`);
      expect(edited).toContain('<script src="/static/recipe-editor.js" defer></script>');
      expect((await fetch(`${server.url}/recipes/${body.id + 1}`)).status).toBe(404);
    });

    it("lists recipes with their publish state and escapes every value", async () => {
      const server = await servers.start();
      const hostile = "<script>alert('x')</script> & \"quotes\"";
      const { body } = await postJson<{ id: number }>(`${server.url}/admin/api/recipes`, {
        ...CONSOLE_LOG_RECIPE,
        name: hostile,
        enabled: true,
      });
      await postJson(`${server.url}/admin/api/recipes`, { ...CONSOLE_LOG_RECIPE, name: "Draft" });
      await server.publish();
      await postJson(`${server.url}/admin/api/recipes/${body.id}`, { ...CONSOLE_LOG_RECIPE, name: hostile }, "PUT");

      const page = await (await fetch(`${server.url}/`)).text();
      expect(page).not.toContain("<script>");
      expect(page).toContain("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#38; &#34;quotes&#34;");
      const rows = [...page.matchAll(/<tr>\s*<td>(\d+)<\/td>[\s\S]*?<\/tr>/g)].map((match) => match[0]);
      expect(rows).toHaveLength(2);
      expect(rows[0]).toContain("Revision 1; changes not published yet");
      expect(rows[1]).toMatch(/<td>No<\/td>\s*<td>1<\/td>\s*<td>No<\/td>/);
    });
  });
});
