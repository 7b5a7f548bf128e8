import { createHash } from "node:crypto";
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { fetchJson, postJson, useTestServers } from "./serverHarness.js";
import { addonXpi, zipArchive } from "./zipFixture.js";

interface Details {
  id: number;
  name: string;
  xpi: string;
  extension_id: string;
  version: string;
  hash: string;
  hash_algorithm: string;
  size: number;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("recipe server: add-on packages", () => {
  const servers = useTestServers();

  const upload = (url: string, body: Buffer, contentType = "application/x-xpinstall") =>
    fetchJson<Details & { field?: string; error?: string; message?: string }>(`${url}/admin/api/extensions`, {
      method: "POST",
      headers: { "Content-Type": contentType },
      body: new Uint8Array(body),
    });

  it("takes a raw XPI, reads its id and version, and describes it at the legacy extension endpoint", async () => {
    const server = await servers.start();
    const xpi = addonXpi("study@example.test", "1.2", "Study add-on");

    const created = await upload(server.url, xpi);

    expect(created.status).toBe(201);
    const expected: Details = {
      id: 1,
      name: "Study add-on",
      xpi: `${server.url}/extensions/1.xpi`,
      extension_id: "study@example.test",
      version: "1.2",
      hash: sha256(xpi),
      hash_algorithm: "sha256",
      size: xpi.length,
    };
    expect(created.body).toEqual(expected);
    expect(created.headers.get("location")).toBe(`${server.url}/admin/api/extensions/1`);
    expect((await fetchJson(`${server.url}/api/v1/extension/1/`)).body).toEqual(expected);
    expect((await fetchJson(`${server.url}/admin/api/extensions`)).body).toEqual({ extensions: [expected] });

    const served = await fetch(expected.xpi);
    expect(served.headers.get("content-type")).toBe("application/x-xpinstall");
    expect(Buffer.from(await served.arrayBuffer()).equals(xpi)).toBe(true);
  });

  it("takes base64 in JSON too, and every upload gets a new id (a newer version is a new upload)", async () => {
    const server = await servers.start();
    await upload(server.url, addonXpi("study@example.test", "1.0"));
    const second = await postJson<Details>(`${server.url}/admin/api/extensions`, {
      xpi: addonXpi("study@example.test", "2.0").toString("base64"),
    });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ id: 2, extension_id: "study@example.test", version: "2.0" });
  });

  it("refuses an upload that is not an add-on package, and says why", async () => {
    const server = await servers.start();
    const notZip = await upload(server.url, Buffer.from("just text"));
    expect(notZip.status).toBe(400);
    expect(notZip.body.message).toMatch(/not a zip/);
    const noManifest = await upload(server.url, zipArchive([{ name: "readme.txt", content: "hi" }]));
    expect(noManifest.body.message).toMatch(/no manifest.json/);
    const noId = await upload(
      server.url,
      zipArchive([{ name: "manifest.json", content: JSON.stringify({ name: "x", version: "1" }) }]),
    );
    expect(noId.body.message).toMatch(/gecko.id/);
    const badJson = await postJson<{ field: string }>(`${server.url}/admin/api/extensions`, { xpi: 42 });
    expect(badJson.body.field).toBe("xpi");
    expect((await fetchJson(`${server.url}/admin/api/extensions`)).body).toEqual({ extensions: [] });
  });

  it("404s an unknown extension, at the legacy endpoint and as a file", async () => {
    const server = await servers.start();
    expect((await fetchJson(`${server.url}/api/v1/extension/7/`)).status).toBe(404);
    expect((await fetchJson(`${server.url}/api/v1/extension/abc/`)).status).toBe(404);
    expect((await fetch(`${server.url}/extensions/7.xpi`)).status).toBe(404);
  });

  it("refuses a recipe naming a package it does not have, at save and at publish (deleted since)", async () => {
    const server = await servers.start();
    const { id } = (await upload(server.url, addonXpi("study@example.test", "1.0"))).body;
    const study = (extensionApiId: number) => ({
      name: "Branched study",
      action: "branched-addon-study",
      arguments: {
        slug: "study",
        userFacingName: "Study",
        userFacingDescription: "A study",
        isEnrollmentPaused: false,
        branches: [
          { slug: "control", ratio: 1, extensionApiId: null },
          { slug: "treatment", ratio: 1, extensionApiId },
        ],
      },
      filter_expression: "true",
      enabled: true,
    });

    const refused = await postJson<{ field: string; message: string }>(`${server.url}/admin/api/recipes`, study(999));
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe("arguments.branches[1].extensionApiId");
    expect(refused.body.message).toContain("there is no add-on package 999 on this server");
    const rollout = {
      name: "Rollout",
      action: "addon-rollout",
      arguments: { slug: "r", extensionApiId: 998 },
      filter_expression: "true",
    };
    expect((await postJson<{ field: string }>(`${server.url}/admin/api/recipes`, rollout)).body.field).toBe(
      "arguments.extensionApiId",
    );

    const saved = await postJson<{ id: number }>(`${server.url}/admin/api/recipes`, study(id));
    expect(saved.status).toBe(201);
    expect((await fetch(`${server.url}/admin/api/extensions/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await fetchJson(`${server.url}/api/v1/extension/${id}/`)).status).toBe(404);

    const publish = await fetchJson<{ field: string; message: string }>(`${server.url}/admin/api/publish`, {
      method: "POST",
    });
    expect(publish.status).toBe(400);
    expect(publish.body.field).toBe("arguments.branches[1].extensionApiId");
    expect(publish.body.message).toContain(
      `recipe ${saved.body.id} ("Branched study") cannot be published: there is no add-on package ${id}`,
    );
  });

  it("keeps uploads across a restart on the same data folder", async () => {
    const dataDir = await servers.newDataDir();
    const first = await servers.start({ dataDir });
    const xpi = addonXpi("study@example.test", "1.0");
    await upload(first.url, xpi);
    await first.close();
    const second = await servers.start({ dataDir });
    const details = (await fetchJson<Details>(`${second.url}/api/v1/extension/1/`)).body;
    expect(details.hash).toBe(sha256(xpi));
    expect(Buffer.from(await (await fetch(details.xpi)).arrayBuffer()).equals(xpi)).toBe(true);
  });

  it("fault corrupt-xpi serves that package with other bytes (its hash no longer matches), others unchanged", async () => {
    const server = await servers.start();
    const xpi = addonXpi("a@example.test", "1.0");
    const other = addonXpi("b@example.test", "1.0");
    await upload(server.url, xpi);
    await upload(server.url, other);
    const set = await postJson(`${server.url}/admin/api/fault`, { kind: "corrupt-xpi", extensionId: 1 }, "PUT");
    expect(set.body).toEqual({ fault: { kind: "corrupt-xpi", extensionId: 1 } });

    const served = Buffer.from(await (await fetch(`${server.url}/extensions/1.xpi`)).arrayBuffer());
    expect(served.length).toBe(xpi.length);
    expect(sha256(served)).not.toBe(sha256(xpi));
    expect((await fetchJson<Details>(`${server.url}/api/v1/extension/1/`)).body.hash).toBe(sha256(xpi));
    expect(sha256(Buffer.from(await (await fetch(`${server.url}/extensions/2.xpi`)).arrayBuffer()))).toBe(
      sha256(other),
    );
  });

  it("fault stall-xpi sends half the package and then holds the connection open", async () => {
    const server = await servers.start();
    const xpi = addonXpi("a@example.test", "1.0");
    await upload(server.url, xpi);
    server.faults.set({ kind: "stall-xpi", extensionId: 1 });

    const received = await new Promise<{ declared: number; bytes: number; ended: boolean }>((resolve, reject) => {
      const req = request(`${server.url}/extensions/1.xpi`, (response) => {
        let bytes = 0;
        let ended = false;
        response.on("data", (chunk: Buffer) => (bytes += chunk.length));
        response.on("end", () => (ended = true));
        setTimeout(() => {
          resolve({ declared: Number(response.headers["content-length"]), bytes, ended });
          req.destroy();
        }, 300);
      });
      req.on("error", (error) => (error.message.includes("socket hang up") ? undefined : reject(error)));
      req.end();
    });
    expect(received).toEqual({ declared: xpi.length, bytes: Math.floor(xpi.length / 2), ended: false });
  });

  it("refuses an XPI fault without an integer extensionId", async () => {
    const server = await servers.start();
    const reply = await postJson<{ field: string }>(
      `${server.url}/admin/api/fault`,
      { kind: "stall-xpi", extensionId: "1" },
      "PUT",
    );
    expect(reply.status).toBe(400);
    expect(reply.body.field).toBe("extensionId");
  });
});
