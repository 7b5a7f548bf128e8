/**
 * Add-on rollouts and rollbacks, rule by rule (reference §2.5, Normandy's AddonRolloutAction /
 * AddonRollbackAction), against an in-memory AddonManager, server and telemetry.
 */
import { describe, expect, it } from "vitest";
import { AddonRollbackAction } from "../../src/actions/AddonRollbackAction.js";
import { AddonRolloutAction } from "../../src/actions/AddonRolloutAction.js";
import { STUDIES_OPT_OUT_PREF } from "../../src/config/ClientConfig.js";
import type { Recipe } from "../../src/core/index.js";
import { addonClient, sha256, until } from "./addonStudyHarness.js";

const ADDON = "rollout-addon@example.test";

type Client = Awaited<ReturnType<typeof addonClient>>;

function rolloutRecipe(slug = "rollout", extensionApiId = 1, id = 1): Recipe {
  return {
    id,
    name: slug,
    revision_id: "1",
    action: "addon-rollout",
    filter_expression: "true",
    arguments: { slug, extensionApiId },
  };
}

function rollbackRecipe(rolloutSlug = "rollout"): Recipe {
  return {
    id: 50,
    name: "rollback",
    revision_id: "1",
    action: "addon-rollback",
    filter_expression: "true",
    arguments: { rolloutSlug },
  };
}

const rollOut = (client: Client, recipe = rolloutRecipe()) =>
  client.run(new AddonRolloutAction(client.rollouts), [[recipe, "filter-match"]]);
const rollBack = (client: Client, recipe = rollbackRecipe()) =>
  client.run(new AddonRollbackAction(client.rollouts), [[recipe, "filter-match"]]);
const events = (client: Client) =>
  client.telemetry.events.map(({ method, object, value, extra }) => [method, object, value, extra]);

async function rolledOut() {
  const client = await addonClient();
  client.publish(1, ADDON, "1.0");
  await rollOut(client);
  client.telemetry.events.length = 0;
  return client;
}

describe("addon-rollout", () => {
  it("installs the package, records the rollout, reports enroll and annotates it", async () => {
    const client = await addonClient();
    const details = client.publish(1, ADDON, "1.0");

    const { outcomes } = await rollOut(client);

    expect(outcomes[0]!.status).toBe("success");
    expect(client.addons.installed.get(ADDON)?.version).toBe("1.0");
    expect(await client.rolloutStore.getAll()).toEqual([
      {
        recipeId: 1,
        slug: "rollout",
        state: "active",
        addonId: ADDON,
        addonVersion: "1.0",
        xpiUrl: details.xpi,
        xpiHash: details.hash,
        xpiHashAlgorithm: "sha256",
        extensionApiId: 1,
        enrollmentId: "enrollment-id",
        pendingChange: null,
      },
    ]);
    expect(events(client)).toEqual([
      ["enroll", "addon_rollout", "rollout", { addonId: ADDON, addonVersion: "1.0", enrollmentId: "enrollment-id" }],
    ]);
    expect(client.telemetry.active.get("rollout")).toEqual({
      branch: "active",
      type: "normandy-addonrollout",
      enrollmentId: "enrollment-id",
    });
  });

  it("upgrades an add-on the user already had at an older version", async () => {
    const client = await addonClient();
    client.addons.installDirectly(ADDON, "0.5");
    client.publish(1, ADDON, "1.0");
    await rollOut(client);
    expect(client.addons.installed.get(ADDON)?.version).toBe("1.0");
    expect(client.telemetry.eventsOf("enroll")).toHaveLength(1);
  });

  it("reruns with the same add-on and version do nothing; a newer version is an update", async () => {
    const client = await rolledOut();
    client.addons.calls.length = 0;
    await rollOut(client);
    expect(client.addons.calls).toEqual([]);

    client.publish(1, ADDON, "2.0");
    await rollOut(client);
    expect(client.addons.installed.get(ADDON)?.version).toBe("2.0");
    expect((await client.rolloutStore.get("rollout"))!.addonVersion).toBe("2.0");
    expect(events(client)).toEqual([
      ["update", "addon_rollout", "rollout", { addonId: ADDON, addonVersion: "2.0", enrollmentId: "enrollment-id" }],
    ]);
  });

  it("is not a study: it runs with studies turned off, and a recipe that is gone leaves the add-on", async () => {
    const client = await addonClient();
    await client.prefs.setPref(STUDIES_OPT_OUT_PREF, false, "user");
    client.publish(1, ADDON, "1.0");
    expect((await rollOut(client)).outcomes[0]!.status).toBe("success");
    await client.run(new AddonRolloutAction(client.rollouts), []);
    expect(client.addons.installed.has(ADDON)).toBe(true);
  });

  it("conflict: another active rollout owns the add-on; enrollFailed names it and its enrollment id, also for an existing rollout", async () => {
    const client = await rolledOut();
    // The owner's id differs from the one the harness gives every new rollout, so the event shows whose it carries.
    await client.rolloutStore.update("rollout", (stored) => {
      stored.enrollmentId = "owner-enrollment-id";
    });
    const { outcomes } = await rollOut(client, rolloutRecipe("second", 1, 2));
    expect(outcomes[0]!.status).toBe("apply_error");
    expect(await client.rolloutStore.get("second")).toBeUndefined();

    client.publish(2, "other@example.test", "1.0");
    await rollOut(client, rolloutRecipe("third", 2, 3));
    client.publish(2, ADDON, "3.0");
    await rollOut(client, rolloutRecipe("third", 2, 3));

    expect(client.telemetry.eventsOf("enrollFailed").map(({ value, extra }) => [value, extra])).toEqual([
      [
        "second",
        { reason: "conflict", addonId: ADDON, conflictingSlug: "rollout", enrollmentId: "owner-enrollment-id" },
      ],
      [
        "third",
        { reason: "conflict", addonId: ADDON, conflictingSlug: "rollout", enrollmentId: "owner-enrollment-id" },
      ],
    ]);
    expect(client.addons.installed.get(ADDON)?.version).toBe("1.0");
  });

  it("addon-id-changed: an existing rollout's package became another add-on (updateFailed)", async () => {
    const client = await rolledOut();
    client.publish(1, "renamed@example.test", "2.0");
    await rollOut(client);
    expect(client.telemetry.eventsOf("updateFailed").map(({ extra }) => extra)).toEqual([
      { reason: "addon-id-changed", enrollmentId: "enrollment-id" },
    ]);
    expect(await client.rolloutStore.get("rollout")).toMatchObject({
      addonId: ADDON,
      addonVersion: "1.0",
      pendingChange: null,
    });
    expect(client.addons.installed.has("renamed@example.test")).toBe(false);
  });

  it("upgrade-required: a newer version is already installed", async () => {
    const client = await addonClient();
    client.addons.installDirectly(ADDON, "5.0");
    client.publish(1, ADDON, "1.0");
    await rollOut(client);
    expect(client.telemetry.eventsOf("enrollFailed").map(({ extra }) => extra)).toEqual([
      { reason: "upgrade-required" },
    ]);
    expect(client.addons.installed.get(ADDON)?.version).toBe("5.0");
    expect(await client.rolloutStore.getAll()).toEqual([]);
  });

  it("metadata-mismatch, download-failure and install-failure: enrollFailed for a new rollout, updateFailed for an existing one", async () => {
    const mismatch = await addonClient();
    mismatch.publish(1, ADDON, "1.0");
    mismatch.server.get(1)!.version = "1.1";
    await rollOut(mismatch);
    const badHash = await addonClient();
    badHash.publish(1, ADDON, "1.0");
    badHash.server.get(1)!.hash = sha256("other bytes");
    await rollOut(badHash);
    const update = await rolledOut();
    update.publish(1, ADDON, "2.0");
    update.addons.installErrors.set(ADDON, "ERROR_CORRUPT_FILE");
    await rollOut(update);

    expect(mismatch.telemetry.eventsOf("enrollFailed").map(({ extra }) => extra)).toEqual([
      { reason: "metadata-mismatch" },
    ]);
    expect(badHash.telemetry.eventsOf("enrollFailed").map(({ extra }) => extra)).toEqual([
      { reason: "download-failure", detail: "ERROR_INCORRECT_HASH" },
    ]);
    expect(update.telemetry.eventsOf("updateFailed").map(({ extra }) => extra)).toEqual([
      { reason: "install-failure", detail: "ERROR_CORRUPT_FILE", enrollmentId: "enrollment-id" },
    ]);
    expect(await mismatch.rolloutStore.getAll()).toEqual([]);
    expect(await badHash.rolloutStore.getAll()).toEqual([]);
    expect(await update.rolloutStore.get("rollout")).toMatchObject({ addonVersion: "1.0", pendingChange: null });
  });

  it("a rolled-back slug is never applied again", async () => {
    const client = await rolledOut();
    await rollBack(client);
    client.publish(1, ADDON, "2.0");
    client.addons.calls.length = 0;
    await rollOut(client);
    expect(client.addons.calls).toEqual([]);
    expect((await client.rolloutStore.get("rollout"))!.state).toBe("rolled-back");
  });
});

describe("addon-rollback", () => {
  it("uninstalls the add-on, marks the rollout rolled back, reports unenroll and ends the annotation", async () => {
    const client = await rolledOut();
    const { outcomes } = await rollBack(client);
    expect(outcomes[0]!.status).toBe("success");
    expect(client.addons.installed.has(ADDON)).toBe(false);
    expect(await client.rolloutStore.get("rollout")).toMatchObject({ state: "rolled-back", pendingChange: null });
    expect(events(client)).toEqual([
      ["unenroll", "addon_rollback", "rollout", { reason: "rollback", enrollmentId: "enrollment-id" }],
    ]);
    expect(client.telemetry.active.has("rollout")).toBe(false);
  });

  it("skips a rollout this client never had, and one already rolled back", async () => {
    const client = await rolledOut();
    await rollBack(client, rollbackRecipe("never-heard-of-it"));
    await rollBack(client);
    client.telemetry.events.length = 0;
    client.addons.calls.length = 0;
    await rollBack(client);
    expect(client.telemetry.events).toEqual([]);
    expect(client.addons.calls).toEqual([]);
  });

  it("uninstall-failed: unenrollFailed and an execution error; the next start finishes the uninstall", async () => {
    const client = await rolledOut();
    client.addons.uninstallErrors.add(ADDON);
    const { outcomes } = await rollBack(client);
    expect(outcomes[0]!.status).toBe("apply_error");
    expect(events(client)).toEqual([
      ["unenrollFailed", "addon_rollback", "rollout", { reason: "uninstall-failed", enrollmentId: "enrollment-id" }],
    ]);
    expect(await client.rolloutStore.get("rollout")).toMatchObject({
      state: "rolled-back",
      pendingChange: { kind: "uninstall" },
    });

    client.addons.uninstallErrors.clear();
    await client.restart();
    expect(client.addons.installed.has(ADDON)).toBe(false);
    expect(await client.rolloutStore.get("rollout")).toMatchObject({ state: "rolled-back", pendingChange: null });
    expect(client.telemetry.eventsOf("unenroll")).toHaveLength(1);
  });
});

describe("add-on rollouts across a crash", () => {
  it("killed during the download: no rollout, no add-on; killed after the install: the rollout is reported", async () => {
    const client = await addonClient();
    client.publish(1, ADDON, "1.0");
    client.addons.hangAt = "download";
    void rollOut(client);
    await until(() => client.addons.calls.length === 1);
    await client.restart();
    expect(await client.rolloutStore.getAll()).toEqual([]);

    client.addons.hangAt = "after-install";
    void rollOut(client);
    await until(() => client.addons.installed.has(ADDON));
    await client.restart();
    expect(await client.rolloutStore.get("rollout")).toMatchObject({ state: "active", pendingChange: null });
    expect(events(client)).toEqual([
      ["enroll", "addon_rollout", "rollout", { addonId: ADDON, addonVersion: "1.0", enrollmentId: "enrollment-id" }],
    ]);
    expect(client.telemetry.active.get("rollout")).toMatchObject({ branch: "active" });
  });
});
