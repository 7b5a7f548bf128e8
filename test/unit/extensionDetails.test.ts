import { describe, expect, it } from "vitest";
import { DeliveryError } from "../../src/delivery/DeliveryError.js";
import { fetchExtensionDetails } from "../../src/delivery/extensionDetails.js";
import { useTestServers } from "./serverHarness.js";
import { addonXpi } from "./zipFixture.js";

describe("the client reads add-on metadata from the server's legacy API", () => {
  const servers = useTestServers();

  it("gets what the server derived from the upload, at `<api_url>extension/<id>/`", async () => {
    const server = await servers.start();
    const xpi = addonXpi("study@example.test", "3.1");
    const stored = server.extensions.add(xpi);
    const details = await fetchExtensionDetails(server.config.legacyApiUrl, stored.id);
    expect(details).toEqual({
      id: stored.id,
      name: "Test add-on",
      xpi: `${server.url}/extensions/${stored.id}.xpi`,
      extension_id: "study@example.test",
      version: "3.1",
      hash: stored.sha256,
      hash_algorithm: "sha256",
      size: xpi.length,
    });
  });

  it("an unknown extension is a server DeliveryError", async () => {
    const server = await servers.start();
    await expect(fetchExtensionDetails(server.config.legacyApiUrl, 99)).rejects.toThrow(DeliveryError);
  });
});

describe("metadata that cannot be used is refused", () => {
  const answer = (body: unknown) => async () => {
    const original = globalThis.fetch;
    globalThis.fetch = async () =>
      new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
    try {
      return await fetchExtensionDetails("http://server.test/api/v1/", 1);
    } finally {
      globalThis.fetch = original;
    }
  };
  const valid = {
    id: 1,
    name: "n",
    xpi: "http://server.test/1.xpi",
    extension_id: "a@b",
    version: "1",
    hash: "ab12",
    hash_algorithm: "sha256",
  };

  it.each([
    ["a missing field", { ...valid, version: undefined }, /version/],
    ["an xpi that is not http(s)", { ...valid, xpi: "file:///etc/passwd" }, /http\(s\) URL/],
    ["a hash that is not hex", { ...valid, hash: "not-hex" }, /hexadecimal/],
    ["a size that is not a positive integer", { ...valid, size: -1 }, /size/],
    ["not an object", [valid], /`id`/],
  ])("%s", async (_what, body, message) => {
    await expect(answer(body)()).rejects.toThrow(message);
  });

  it("accepts Normandy's shape, without size", async () => {
    expect(await answer(valid)()).toEqual(valid);
  });
});
