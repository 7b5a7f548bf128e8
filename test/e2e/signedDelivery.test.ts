/**
 * Signed delivery end to end in Firefox: the add-on never acts on a recipe whose signature does not verify,
 * refuses a whole collection signed under an untrusted root, refuses a replayed older changeset, and reports
 * an unreachable server as network_error, then recovers. Each case publishes recipes with fresh messages and
 * checks that a refused recipe's message never reaches the browser console.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startRecipeServer, type RunningRecipeServer } from "../../server/recipeServer.js";
import { useServerAndAddon } from "./support/serverAndAddon.js";

describe("signed recipe delivery, end to end", () => {
  const running = useServerAndAddon("signed-delivery", { waitForFirstRun: true });

  const publishMessage = async (on: RunningRecipeServer, message: string) => {
    const recipe = on.store.create(
      { name: message, action: "console-log", arguments: { message }, filter_expression: "true", capabilities: [] },
      true,
    );
    await on.publish();
    return recipe;
  };
  /** A rollout that would set `pref`'s default to 42: a refused recipe must leave the pref untouched. */
  const publishRollout = async (on: RunningRecipeServer, slug: string, pref: string) => {
    const recipe = on.store.create(
      {
        name: slug,
        action: "preference-rollout",
        arguments: { slug, preferences: [{ preferenceName: pref, value: 42 }] },
        filter_expression: "true",
        capabilities: [],
      },
      true,
    );
    await on.publish();
    return recipe;
  };
  const prefExists = (pref: string) =>
    running.addon.firefox.evalInChrome<boolean>(`return Services.prefs.getPrefType(args[0]) !== 0;`, pref);
  const logged = async () => (await running.addon.consoleMessages()).flatMap((message) => message.args);
  const setPref = (name: string, value: string) =>
    running.addon.firefox.evalInChrome(`Services.prefs.setStringPref(args[0], args[1]);`, name, value);

  it("a recipe tampered after signing is not acted on (sign_error) while the others run", async () => {
    const tamperedRollout = await publishRollout(running.server, "tampered-rollout", "delivery.tampered.pref");
    running.server.faults.set({ kind: "tamper-recipe", recipeId: tamperedRollout.id });
    try {
      const rolloutRun = await running.addon.runNow();
      expect(rolloutRun.recipes.find((recipe) => recipe.id === tamperedRollout.id)).toMatchObject({
        status: "sign_error",
      });
      expect(await prefExists("delivery.tampered.pref")).toBe(false);
    } finally {
      running.server.faults.clear();
      running.server.store.setEnabled(tamperedRollout.id, false);
      await running.server.publish();
    }

    const tampered = await publishMessage(running.server, "delivery: tampered recipe");
    const intact = await publishMessage(running.server, "delivery: intact recipe");
    running.server.faults.set({ kind: "tamper-recipe", recipeId: tampered.id });
    try {
      const run = await running.addon.runNow();
      expect(run.runnerStatus).toBe("success");
      const byId = new Map(run.recipes.map((recipe) => [recipe.id, recipe]));
      expect(byId.get(tampered.id)).toMatchObject({ suitability: "signature-error", status: "sign_error" });
      expect(byId.get(intact.id)).toMatchObject({ status: "success" });
    } finally {
      running.server.faults.clear();
    }
    expect(await logged()).toContain("delivery: intact recipe");
    expect(await logged()).not.toContain("delivery: tampered recipe");
    expect(await running.addon.gleanUptake()).toContainEqual({
      source: `normandy/recipe/${tampered.id}`,
      value: "sign_error",
    });
  });

  it("a collection signed under an untrusted root is refused as a whole", async () => {
    const impostor = await startRecipeServer({ dataDir: join(running.workDir, "impostor"), port: 0 });
    try {
      await publishMessage(impostor, "delivery: from an untrusted server");
      await publishRollout(impostor, "untrusted-rollout", "delivery.untrusted.pref");
      await setPref("extensions.recipeclient.server_url", impostor.config.remoteSettingsUrl);
      const run = await running.addon.runNow();
      expect(run).toMatchObject({ runnerStatus: "sign_error", recipes: [] });
      expect(run.error).toMatch(/collection signature does not verify \(wrong-root/);
    } finally {
      await setPref("extensions.recipeclient.server_url", running.server.config.remoteSettingsUrl);
      await impostor.close();
    }
    expect(await logged()).not.toContain("delivery: from an untrusted server");
    expect(await prefExists("delivery.untrusted.pref")).toBe(false);
  });

  it("a replayed older changeset is refused, though its signatures are valid", async () => {
    const stale = await publishMessage(running.server, "delivery: only in an old snapshot");
    const staleRollout = await publishRollout(running.server, "stale-rollout", "delivery.stale.pref");
    const old = await running.server.publish();
    running.server.store.setEnabled(stale.id, false);
    running.server.store.setEnabled(staleRollout.id, false);
    await running.server.publish();
    expect((await running.addon.runNow()).runnerStatus).toBe("success");

    running.server.faults.set({ kind: "replay", timestamp: old.timestamp });
    try {
      const run = await running.addon.runNow();
      expect(run.runnerStatus).toBe("server_error");
      expect(run.error).toMatch(/replayed changeset/);
    } finally {
      running.server.faults.clear();
    }
    expect(await logged()).not.toContain("delivery: only in an old snapshot");
    expect(await prefExists("delivery.stale.pref")).toBe(false);
  });

  it("an unreachable server gives network_error; the next run succeeds once it is back", async () => {
    await running.server.close();
    const failed = await running.addon.runNow();
    expect(failed.runnerStatus).toBe("network_error");

    await running.restartServer();
    await publishMessage(running.server, "delivery: after the outage");
    const recovered = await running.addon.runNow();
    expect(recovered.runnerStatus).toBe("success");
    expect(await logged()).toContain("delivery: after the outage");
    const runnerUptake = (await running.addon.gleanUptake())
      .filter((event) => event.source === "normandy/runner")
      .map((event) => event.value);
    expect(runnerUptake.slice(-2)).toEqual(["network_error", "success"]);
  });

  it("sends no cookies to the recipe server, even when the browser holds some for its host", async () => {
    // A page on the same host (another port: cookies ignore ports) sets a cookie, as any site could.
    const cookiePage = createServer((_request, response) => {
      response.writeHead(200, { "Set-Cookie": "session=secret; Path=/", "Content-Type": "text/html" });
      response.end("<!doctype html><title>sets a cookie</title>");
    });
    await new Promise<void>((resolve) => cookiePage.listen(0, "127.0.0.1", resolve));
    try {
      await running.addon.firefox.navigate(`http://127.0.0.1:${(cookiePage.address() as AddressInfo).port}/`);
    } finally {
      cookiePage.close();
    }
    const cookies = await running.addon.firefox.evalInChrome<number>(
      `return Services.cookies.getCookiesFromHost("127.0.0.1", {}).length;`,
    );
    expect(cookies).toBeGreaterThan(0);

    // Record the Cookie header of every request Firefox sends to the recipe server during one run.
    await running.addon.firefox.evalInChrome(
      `const seen = (Services.__recipeServerRequests = []);
       Services.__recipeServerObserver = (subject) => {
         const channel = subject.QueryInterface(Ci.nsIHttpChannel);
         if (!channel.URI.spec.startsWith(args[0])) return;
         let cookie = null;
         try { cookie = channel.getRequestHeader("Cookie"); } catch {}
         seen.push({ url: channel.URI.spec, cookie });
       };
       Services.obs.addObserver(Services.__recipeServerObserver, "http-on-modify-request");`,
      running.server.url,
    );
    let requests: { url: string; cookie: string | null }[];
    try {
      expect((await running.addon.runNow()).runnerStatus).toBe("success");
    } finally {
      requests = await running.addon.firefox.evalInChrome(
        `Services.obs.removeObserver(Services.__recipeServerObserver, "http-on-modify-request");
         return Services.__recipeServerRequests;`,
      );
    }
    expect(requests.some((request) => request.url.includes("/changeset"))).toBe(true);
    expect(requests.filter((request) => request.cookie !== null)).toEqual([]);
  });
});
