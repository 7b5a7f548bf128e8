import { describe, expect, it } from "vitest";
import { addonPrefs } from "../../server/addonPrefs.js";
import { CONFIG_PREFS, loadClientConfig, PREF_BRANCH } from "../../src/config/ClientConfig.js";
import { FakePrefsApi } from "../fakes/FakePrefsApi.js";
import { useTestServers } from "./serverHarness.js";

describe("the prefs the server tells users to set", () => {
  const servers = useTestServers();

  it("are prefs the add-on reads, and set as printed they configure it for this server", async () => {
    const server = await servers.start();
    const prefs = addonPrefs(server.config);
    const known = Object.values(CONFIG_PREFS).map((name) => PREF_BRANCH + name);
    expect(prefs.map(({ name }) => name).filter((name) => !known.includes(name))).toEqual([]);

    const fake = new FakePrefsApi();
    for (const { name, value } of prefs) await fake.setPref(name, value, "user");
    const warnings: string[] = [];
    const config = await loadClientConfig(fake, (message) => warnings.push(message));

    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      serverUrl: `${server.url}/v1`,
      rootHash: server.config.rootHash,
      recipeSigner: server.config.recipeSigner,
      collectionSigner: server.config.collectionSigner,
      apiUrl: `${server.url}/api/v1/`,
      noticesUrl: `${server.url}/notices`,
      intakeUrl: `${server.url}/intake/v1/batches`,
    });
  });
});
