/** The e2e harness: a headless Firefox ESR driven over Marionette. */
export { Firefox, launchFirefox, type FailureHook, type InstallOptions, type LaunchOptions } from "./firefox.js";
export type { ConsoleMessage } from "./console-messages.js";
export { MarionetteClient, MarionetteError, type JsonValue } from "./marionette.js";
export { TEST_PREFS, type UserPrefValue, type UserPrefs } from "./profile.js";
export { buildXpi } from "./xpi.js";
export { waitForValue, type WaitOptions } from "./waitForValue.js";
