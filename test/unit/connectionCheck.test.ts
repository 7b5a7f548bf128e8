/** The QA console's connection check: the configured server's Remote Settings root answers, or why not. */
import { describe, expect, it } from "vitest";
import { checkConnection } from "../../src/delivery/connectionCheck.js";
import { useTestServers } from "./serverHarness.js";

describe("checkConnection", () => {
  const servers = useTestServers();

  it("is OK when <server_url>/ answers like a Remote Settings server", async () => {
    const server = await servers.start();
    expect(await checkConnection(server.config.remoteSettingsUrl)).toEqual({
      ok: true,
      url: `${server.config.remoteSettingsUrl}/`,
      detail: "recipe-server, HTTP API 1.22",
    });
  });

  it("says why not: an HTTP error, an answer that is not Remote Settings, nothing listening", async () => {
    const server = await servers.start();
    expect(await checkConnection(`${server.url}/nowhere`)).toMatchObject({
      ok: false,
      detail: expect.stringContaining("HTTP 404"),
    });
    expect(await checkConnection(`${server.url}/api/v1`)).toMatchObject({
      ok: false,
      detail: expect.stringContaining("no http_api_version"),
    });
    expect(await checkConnection(server.url)).toMatchObject({
      ok: false,
      detail: expect.stringContaining("not with JSON"),
    });
    const port = server.port;
    await server.close();
    expect(await checkConnection(`http://127.0.0.1:${port}/v1`)).toMatchObject({
      ok: false,
      url: `http://127.0.0.1:${port}/v1/`,
    });
  });
});
