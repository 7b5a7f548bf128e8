import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { fetchClassification } from "../../src/context/classifyClient.js";
import { DeliveryError } from "../../src/delivery/DeliveryError.js";
import { useTestServers } from "./serverHarness.js";

/** A one-route server answering every request with `body` (for answers the recipe server never gives). */
async function serving(body: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_request, response) =>
    response.writeHead(200, { "Content-Type": "application/json" }).end(body),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("classify-client against the local recipe server", () => {
  const servers = useTestServers();

  it("reads the country and the server's request time", async () => {
    const requestTime = new Date("2026-03-04T05:06:07.000Z");
    const server = await servers.start({ country: "FR", now: () => requestTime });
    expect(await fetchClassification(server.config.legacyApiUrl)).toEqual({ country: "FR", requestTime });
  });

  it("accepts the API URL without its trailing slash", async () => {
    const server = await servers.start();
    expect((await fetchClassification(server.config.legacyApiUrl.replace(/\/$/, ""))).country).toBe("US");
  });

  it("reports a server that is not there as a network failure", async () => {
    const server = await servers.start();
    const url = server.config.legacyApiUrl;
    await server.close();
    await expect(fetchClassification(url)).rejects.toMatchObject({ failure: "network" });
  });

  it("refuses an answer without a usable request time", async () => {
    const fake = await serving(JSON.stringify({ country: "US", request_time: "yesterday" }));
    try {
      const failure = await fetchClassification(fake.url).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DeliveryError);
      expect(failure).toMatchObject({
        failure: "server",
        message: expect.stringMatching(/expected \{country, request_time\}/),
      });
    } finally {
      await fake.close();
    }
  });
});
