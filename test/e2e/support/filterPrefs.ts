/** The filter corpus's prefs (`FILTER_PREFS`), set in a running Firefox on the branches the fixture names. */
import { FILTER_PREFS } from "../fixtures/filterCorpus.js";
import type { Firefox, JsonValue } from "../harness/index.js";

export async function setFilterPrefs(firefox: Firefox): Promise<void> {
  await firefox.evalInChrome(
    `for (const [name, { default: defaultValue, user }] of Object.entries(args[0])) {
       Services.prefs.clearUserPref(name);
       const set = (branch, value) =>
         typeof value === "string" ? branch.setStringPref(name, value)
         : typeof value === "boolean" ? branch.setBoolPref(name, value)
         : branch.setIntPref(name, value);
       if (defaultValue !== undefined) set(Services.prefs.getDefaultBranch(""), defaultValue);
       if (user !== undefined) set(Services.prefs, user);
     }`,
    FILTER_PREFS as JsonValue,
  );
}
