/**
 * An add-on rollout end to end in a real Firefox: `addon-rollout` installs the package for everyone, a newer
 * upload updates it, and `addon-rollback` uninstalls it; the events say so. Add-ons are read in the chrome
 * context through AddonManager.
 */
import { describe, expect, it } from "vitest";
import type { LoggedEvent } from "../../src/stores/EventLogStore.js";
import { useServerAndAddon } from "./support/serverAndAddon.js";
import { buildTestAddon, installedAddon, uploadXpi } from "./support/testAddons.js";

const ROLLOUT_ADDON = "rollout-addon@recipe-client.test";
const SLUG = "addon-rollout-e2e";

describe("an add-on rollout, end to end", () => {
  let rolloutId: number;
  const running = useServerAndAddon("addon-rollout", {
    prepareServer: async (server, workDir) => {
      const v1 = await uploadXpi(server, await buildTestAddon(workDir, ROLLOUT_ADDON, "1.0"));
      rolloutId = server.store.create(rolloutRecipe(v1.id), true).id;
      await server.publish();
    },
  });

  const rolloutRecipe = (extensionApiId: number) => ({
    name: "Add-on rollout",
    action: "addon-rollout" as const,
    arguments: { slug: SLUG, extensionApiId },
    filter_expression: "true",
    capabilities: [],
  });
  const events = async (): Promise<unknown[]> =>
    (await running.addon.state()).events
      .filter(
        ([, category, , object]: LoggedEvent) =>
          category === "normandy" && (object === "addon_rollout" || object === "addon_rollback"),
      )
      .map(([, , method, object, value, extra]) => [method, object, value, extra]);

  it("installs the package, and a newer upload updates it", async () => {
    const [run] = await running.addon.waitForRuns(1);
    expect(run!.actions).toMatchObject({ AddonRolloutAction: "success" });
    expect(await installedAddon(running.addon.firefox, ROLLOUT_ADDON)).toEqual({ version: "1.0", isActive: true });
    expect((await running.addon.studies()).addonRollouts).toEqual([
      expect.objectContaining({ slug: SLUG, state: "active", addonVersion: "1.0" }),
    ]);

    const v2 = await uploadXpi(running.server, await buildTestAddon(running.workDir, ROLLOUT_ADDON, "2.0"));
    running.server.store.update(rolloutId, rolloutRecipe(v2.id));
    await running.server.publish();
    await running.addon.runNow();

    expect(await installedAddon(running.addon.firefox, ROLLOUT_ADDON)).toEqual({ version: "2.0", isActive: true });
    expect(await events()).toEqual([
      [
        "enroll",
        "addon_rollout",
        SLUG,
        { addonId: ROLLOUT_ADDON, addonVersion: "1.0", enrollmentId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      ],
      [
        "update",
        "addon_rollout",
        SLUG,
        { addonId: ROLLOUT_ADDON, addonVersion: "2.0", enrollmentId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      ],
    ]);
  });

  it("a rollback uninstalls it and marks the rollout rolled back", async () => {
    running.server.store.setEnabled(rolloutId, false);
    running.server.store.create(
      {
        name: "Add-on rollback",
        action: "addon-rollback",
        arguments: { rolloutSlug: SLUG },
        filter_expression: "true",
        capabilities: [],
      },
      true,
    );
    await running.server.publish();

    const run = await running.addon.runNow();

    expect(run.actions).toMatchObject({ AddonRollbackAction: "success" });
    expect(await installedAddon(running.addon.firefox, ROLLOUT_ADDON)).toBeNull();
    expect((await running.addon.studies()).addonRollouts).toEqual([
      expect.objectContaining({ slug: SLUG, state: "rolled-back", pendingChange: null }),
    ]);
    expect((await events()).at(-1)).toEqual([
      "unenroll",
      "addon_rollback",
      SLUG,
      expect.objectContaining({ reason: "rollback" }),
    ]);
    expect(
      await running.addon.firefox.evalInChrome(`return Services.fog.testGetExperimentData(args[0]);`, SLUG),
    ).toBeNull();
  });
});
