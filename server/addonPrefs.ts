import type { PublicConfig } from "./publicConfig.js";

/** One pref the add-on reads, with the value that points it at this server. */
export interface AddonPref {
  name: string;
  value: string;
}

/**
 * The prefs that point the add-on at this server, named exactly as the add-on reads them (its
 * `src/config/ClientConfig.ts`; `test/unit/serverAddonPrefs.test.ts` holds the two together, since the server
 * imports nothing of the add-on but its core). What the server prints, its page shows and `npm start` sets.
 */
export function addonPrefs(config: PublicConfig): AddonPref[] {
  return [
    { name: "extensions.recipeclient.server_url", value: config.remoteSettingsUrl },
    { name: "extensions.recipeclient.root_hash", value: config.rootHash },
    { name: "extensions.recipeclient.recipe_signer", value: config.recipeSigner },
    { name: "extensions.recipeclient.collection_signer", value: config.collectionSigner },
    { name: "extensions.recipeclient.api_url", value: config.legacyApiUrl },
    { name: "extensions.recipeclient.notices_url", value: config.noticesUrl },
    { name: "extensions.recipeclient.intake_url", value: config.intakeUrl },
  ];
}

/** The same prefs as `user.js` lines, for a profile folder. */
export function userJsLines(prefs: AddonPref[]): string[] {
  return prefs.map(({ name, value }) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});`);
}
