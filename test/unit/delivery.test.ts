import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parsePemChain } from "../../src/core/index.js";
import { loadOrCreatePki } from "../../server/pki.js";
import { DeliveryError } from "../../src/delivery/DeliveryError.js";
import { fetchText } from "../../src/delivery/fetchText.js";
import { RemoteSettingsClient } from "../../src/delivery/RemoteSettingsClient.js";
import { X5uFetcher } from "../../src/delivery/X5uFetcher.js";

/** A throwaway HTTP server whose handler each test chooses; it records request headers. */
async function serve(
  handler: (url: string, respond: (status: number, body: string, headers?: Record<string, string>) => void) => void,
) {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    seen.push(request.headers);
    handler(request.url ?? "/", (status, body, headers = {}) => {
      response.writeHead(status, headers);
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}
const servers: Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe("fetchText", () => {
  it("refuses a body over the size limit as a server error, declared or streamed", async () => {
    const { url } = await serve((path, respond) => {
      if (path === "/declared") respond(200, "x".repeat(2000));
      else respond(200, "x".repeat(2000), { "Transfer-Encoding": "chunked" });
    });
    const limits = { timeoutMs: 5000, maxBytes: 1000 };
    expect((await failure(fetchText(`${url}/declared`, limits))).failure).toBe("server");
    const streamed = await failure(fetchText(`${url}/streamed`, limits));
    expect(streamed.failure).toBe("server");
    expect(streamed.message).toMatch(/exceeds the 1000-byte limit/);
  });

  it("gives up on a slow server as a network error", async () => {
    const { url } = await serve(() => undefined); // never answers
    const slow = await failure(fetchText(url, { timeoutMs: 200, maxBytes: 1000 }));
    expect(slow.failure).toBe("network");
    expect(slow.message).toMatch(/no answer within 200 ms/);
  });

  it("reports HTTP errors as server errors and a refused connection as a network error", async () => {
    const { url } = await serve((_path, respond) => respond(502, "bad gateway"));
    expect((await failure(fetchText(url))).message).toMatch(/HTTP 502/);
    expect((await failure(fetchText("http://127.0.0.1:9/"))).failure).toBe("network");
  });
});

describe("X5uFetcher", () => {
  it("refuses an x5u on another origin without making any request", async () => {
    const configured = await serve((_path, respond) => respond(200, "chain"));
    const elsewhere = await serve((_path, respond) => respond(200, "chain"));
    const fetcher = new X5uFetcher(`${configured.url}/v1`);
    const refused = await failure(fetcher.fetchChain(`${elsewhere.url}/chain.pem`));
    expect(refused.message).toMatch(/not on the configured server's origin/);
    expect(elsewhere.seen).toHaveLength(0);
    expect((await failure(fetcher.fetchChain("/relative.pem"))).message).toMatch(/not an absolute URL/);
  });

  it("keeps a chain until its first certificate expires, reports its age, and drops it on forget()", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "x5u-test-"));
    try {
      const pki = await loadOrCreatePki(dataDir);
      const pem = pki.chainPem("normandy.content-signature.mozilla.org");
      const expiry = Math.min(...parsePemChain(pem).map((certificate) => certificate.notAfter.getTime()));
      const { url, seen } = await serve((_path, respond) => respond(200, pem));
      let now = Date.now();
      const fetcher = new X5uFetcher(`${url}/v1`, undefined, () => now);
      const x5u = `${url}/chain.pem`;

      expect(await fetcher.fetchChain(x5u)).toEqual({ pem, ageMs: 0 });
      now += 10;
      expect(await fetcher.fetchChain(x5u)).toEqual({ pem, ageMs: 10 });
      expect(seen).toHaveLength(1);

      fetcher.forget(x5u);
      await fetcher.fetchChain(x5u);
      expect(seen).toHaveLength(2);

      now = expiry;
      await fetcher.fetchChain(x5u);
      expect(seen).toHaveLength(3);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("keeps nothing that is not a certificate chain", async () => {
    const { url, seen } = await serve((_path, respond) => respond(200, "not a chain"));
    const fetcher = new X5uFetcher(`${url}/v1`);
    await fetcher.fetchChain(`${url}/a.pem`);
    await fetcher.fetchChain(`${url}/a.pem`);
    expect(seen).toHaveLength(2);
  });
});

interface ChangesetFields {
  timestamp: number;
  signature: string;
  x5u: string;
  changes: { id: string; last_modified: number }[];
}

const PUBLISHED: ChangesetFields = {
  timestamp: 10,
  signature: "sig",
  x5u: "http://127.0.0.1/chain.pem",
  changes: [{ id: "1", last_modified: 10 }],
};
const UNCHANGED: ChangesetFields = { ...PUBLISHED, changes: [] };

/** A changeset body RemoteSettingsClient accepts (signatures are not its job). */
function changesetJson({ timestamp, signature, x5u, changes }: ChangesetFields): string {
  return JSON.stringify({ timestamp, metadata: { signature: { signature, x5u } }, changes });
}

/**
 * A changeset server whose answers each test sets: `full` to a plain request, `changesSince` to one with
 * `_since`. It records each request's query string.
 */
async function serveChangesets() {
  const answers = { full: changesetJson(PUBLISHED), changesSince: changesetJson(UNCHANGED) };
  const queries: string[] = [];
  const { url } = await serve((path, respond) => {
    const { search, searchParams } = new URL(path, "http://localhost");
    queries.push(search);
    respond(200, searchParams.has("_since") ? answers.changesSince : answers.full, {
      "Content-Type": "application/json",
    });
  });
  return { answers, queries, client: new RemoteSettingsClient(`${url}/v1`) };
}

describe("RemoteSettingsClient changeset fetches with _since", () => {
  it("makes one plain request without a previous changeset", async () => {
    const { client, queries } = await serveChangesets();
    const changeset = await client.fetchChangeset(0);
    expect([changeset.timestamp, changeset.body]).toEqual([10, changesetJson(PUBLISHED)]);
    expect(queries).toEqual(["?_expected=0"]);
  });

  it("asks once, with a simple GET carrying _since, and gives back the previous changeset itself while unchanged", async () => {
    const { client, queries } = await serveChangesets();
    const previous = await client.fetchChangeset(0);
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    expect(await client.fetchChangeset(7, previous)).toBe(previous);
    expect(queries).toEqual(["?_expected=0", "?_expected=7&_since=10"]);
    // No headers, no method: nothing that would make the cross-origin request need a CORS preflight.
    expect(fetchSpy.mock.calls.map(([, init]) => init)).toEqual([
      { credentials: "omit", cache: "no-store", signal: expect.any(AbortSignal) },
    ]);
  });

  it.each<[string, ChangesetFields]>([
    ["lists changes", { ...UNCHANGED, changes: [{ id: "2", last_modified: 11 }] }],
    ["has a newer timestamp", { ...UNCHANGED, timestamp: 11 }],
    ["carries another signature", { ...UNCHANGED, signature: "sig-renewed" }],
    ["carries another x5u", { ...UNCHANGED, x5u: "http://127.0.0.1/renewed.pem" }],
  ])(
    "fetches the full changeset again, with a plain request, when the answer to _since %s",
    async (_what, changesSince) => {
      const { client, queries, answers } = await serveChangesets();
      const previous = await client.fetchChangeset(0);
      const republished = changesetJson({ ...PUBLISHED, signature: "sig-2" });
      answers.full = republished;
      answers.changesSince = changesetJson(changesSince);

      const next = await client.fetchChangeset(10, previous);
      expect(next).not.toBe(previous);
      expect([next.signature.signature, next.body]).toEqual(["sig-2", republished]);
      expect(queries).toEqual(["?_expected=0", "?_expected=10&_since=10", "?_expected=10"]);
    },
  );

  it.each([
    [
      "a timestamp that is not a number",
      JSON.stringify({ timestamp: "10", metadata: { signature: { signature: "sig", x5u: "x" } }, changes: [] }),
      /`timestamp` is not a number/,
    ],
    [
      "no changes array",
      JSON.stringify({ timestamp: 10, metadata: { signature: { signature: "sig", x5u: "x" } } }),
      /`changes` is not an array/,
    ],
    ["no signature", JSON.stringify({ timestamp: 10, metadata: {}, changes: [] }), /`metadata.signature` lacks/],
    ["malformed JSON", "{", /malformed JSON/],
  ])("refuses an answer to _since with %s as a server error, without fetching in full", async (_what, body, why) => {
    const { client, queries, answers } = await serveChangesets();
    const previous = await client.fetchChangeset(0);
    answers.changesSince = body;
    const refused = await failure(client.fetchChangeset(10, previous));
    expect([refused.failure, refused.message]).toEqual(["server", expect.stringMatching(why)]);
    expect(queries).toEqual(["?_expected=0", "?_expected=10&_since=10"]);
  });
});
