/**
 * Every server fault against a whole client (every action, in-memory Firefox) over HTTP: each ends the run
 * in the delivery code's uptake status (network_error, server_error, sign_error), changes no pref, and the
 * next healthy run succeeds. A 503 or 429 with Retry-After holds back every run but "Run now" until then,
 * also across restarts of the client. The same faults run against real Firefox in
 * test/reliability/faults.test.ts.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { ServerFault } from "../../server/faults.js";
import type { RunningRecipeServer } from "../../server/recipeServer.js";
import { MANUAL_TRIGGER } from "../../src/runner/RecipeRunner.js";
import { inMemoryClient, restartInMemoryClient } from "../fakes/inMemoryClient.js";
import { useTestServers } from "./serverHarness.js";

const PREF = "faults.rollout.pref";

/** A rollout the healthy run applies: a faulted run must leave its pref alone. */
async function publishRollout(server: RunningRecipeServer) {
  server.store.create(
    {
      name: "rollout",
      action: "preference-rollout",
      arguments: { slug: "faults-rollout", preferences: [{ preferenceName: PREF, value: 42 }] },
      filter_expression: "true",
      capabilities: [],
    },
    true,
  );
  await server.publish();
}

const clientOf = (server: RunningRecipeServer, fetchTimeoutMs = 30_000) =>
  inMemoryClient({ serverUrl: server.config.remoteSettingsUrl, rootHash: server.config.rootHash }, { fetchTimeoutMs });

describe("server faults, end to end in Node", () => {
  const servers = useTestServers();

  it.each<[ServerFault, string, RegExp]>([
    [{ kind: "http-status", status: 500 }, "server_error", /HTTP 500/],
    [{ kind: "http-status", status: 503 }, "server_error", /HTTP 503/],
    [{ kind: "reset-mid-body" }, "network_error", /changeset/],
    [{ kind: "drop-connection" }, "network_error", /changeset/],
    [{ kind: "slow-response", delayMs: 2_000 }, "network_error", /no answer within 300 ms/],
    [{ kind: "truncated-body" }, "server_error", /malformed JSON/],
    [{ kind: "malformed-json" }, "server_error", /malformed JSON/],
    [{ kind: "oversized-body", bytes: 11 * 1024 * 1024 }, "server_error", /exceeds the 10485760-byte limit/],
    [{ kind: "wrong-content-type" }, "server_error", /expected JSON, the server sent Content-Type text\/html/],
    [{ kind: "tamper-recipe", recipeId: 1 }, "success", /^$/],
    [{ kind: "wrong-x5u" }, "sign_error", /collection signature does not verify/],
    [{ kind: "foreign-x5u", origin: "http://127.0.0.2:9" }, "sign_error", /not on the configured server's origin/],
  ])("%o ends the run with %s, changes no pref, and the next run succeeds", async (fault, status, why) => {
    const server = await servers.start();
    await publishRollout(server);
    const client = await clientOf(server, 300);
    server.faults.set(fault);

    const report = await client.runner.run(MANUAL_TRIGGER);

    expect(report.runnerStatus).toBe(status);
    expect(report.error ?? "").toMatch(why);
    if (fault.kind === "tamper-recipe") expect(report.recipes[0]).toMatchObject({ status: "sign_error" });
    expect(client.prefs.defaults.has(PREF)).toBe(false);
    server.faults.clear();
    expect((await client.runner.run(MANUAL_TRIGGER)).runnerStatus).toBe("success");
    expect(client.prefs.defaults.get(PREF)).toBe(42);
  });

  it("an x5u on another origin is never fetched", async () => {
    const requests: string[] = [];
    const elsewhere = createServer((request, response) => {
      requests.push(request.url ?? "");
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    try {
      const server = await servers.start();
      await publishRollout(server);
      server.faults.set({
        kind: "foreign-x5u",
        origin: `http://localhost:${(elsewhere.address() as AddressInfo).port}`,
      });
      const client = await clientOf(server);
      expect((await client.runner.run(MANUAL_TRIGGER)).runnerStatus).toBe("sign_error");
      expect(requests).toEqual([]);
    } finally {
      elsewhere.close();
    }
  });

  it("after a 503 with Retry-After, scheduled and notice runs wait until then (sharing one run); Run now does not", async () => {
    const server = await servers.start();
    await publishRollout(server);
    const client = await clientOf(server);
    server.faults.set({ kind: "http-status", status: 503, retryAfterSeconds: 2 });
    const refused = await client.runner.run("timer");
    expect(refused.runnerStatus).toBe("server_error");
    expect(refused.error).toMatch(/back off: runs other than "Run now" wait until/);
    server.faults.clear();

    const started = Date.now();
    const waiting = [client.runner.run("notice"), client.runner.run("timer")];
    const manual = await client.runner.run(MANUAL_TRIGGER);
    expect(manual.runnerStatus).toBe("success");
    expect(Date.now() - started).toBeLessThan(1_000);
    // The manual run answered, so the backoff is over: the waiting runs go once it is checked again.
    const [notice, timer] = await Promise.all(waiting);
    expect(notice).toBe(timer);
    expect(notice!.runnerStatus).toBe("success");
  });

  it("the backoff survives a restart: the start-up run waits it out", async () => {
    const server = await servers.start();
    await publishRollout(server);
    const client = await clientOf(server);
    server.faults.set({ kind: "http-status", status: 429, retryAfterSeconds: 1 });
    expect((await client.runner.run("startup")).runnerStatus).toBe("server_error");
    server.faults.clear();

    const restarted = await restartInMemoryClient(client);
    const started = Date.now();
    const report = await restarted.runner.run("startup");
    expect(report.runnerStatus).toBe("success");
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  it("a Retry-After on another error status (500) is not a backoff", async () => {
    const server = await servers.start();
    await publishRollout(server);
    const client = await clientOf(server);
    server.faults.set({ kind: "http-status", status: 500, retryAfterSeconds: 3600 });
    expect((await client.runner.run("timer")).runnerStatus).toBe("server_error");
    server.faults.clear();
    expect((await client.runner.run("timer")).runnerStatus).toBe("success");
  });
});
