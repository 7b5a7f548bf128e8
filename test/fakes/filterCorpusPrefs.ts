import { FILTER_PREFS } from "../e2e/fixtures/filterCorpus.js";
import { FakePrefsApi } from "./FakePrefsApi.js";

/** The filter corpus's prefs (`FILTER_PREFS`) on the branches it names, as the fake prefs API holds them. */
export function filterCorpusPrefs(): FakePrefsApi {
  const prefs = new FakePrefsApi();
  for (const [name, { default: defaultValue, user }] of Object.entries(FILTER_PREFS)) {
    if (defaultValue !== undefined) prefs.defaults.set(name, defaultValue);
    if (user !== undefined) prefs.user.set(name, user);
  }
  return prefs;
}
