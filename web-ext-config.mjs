// web-ext 10 only reads `web-ext-config.mjs` or `.cjs`: a `web-ext-config.js` is rejected.
// `npm start` (scripts/start.mjs) reads this file too and adds the server-specific prefs.
// (Only the default export may appear here: web-ext treats every named export as an option.)
import { ADDON_ID, ADDON_UUID } from "./scripts/addonIdentity.mjs";

export default {
  sourceDir: "dist",
  noInput: true,
  run: {
    pref: [
      // Experiment add-ons only load when this is on; web-ext does not set it.
      "extensions.experiments.enabled=true",
      // Firefox's built-in Normandy must not fight this add-on over the same prefs.
      "app.normandy.enabled=false",
      // Browser console output (including the console-log action) also goes to the terminal.
      "devtools.console.stdout.chrome=true",
      "devtools.console.stdout.content=true",
      `extensions.webextensions.uuids={"${ADDON_ID}":"${ADDON_UUID}"}`,
    ],
    reload: false,
  },
  lint: { privileged: true, selfHosted: true, warningsAsErrors: true },
  // `npm run package`: the add-on as users install it, without the source maps the debugger reads in dist/.
  ignoreFiles: ["**/*.map"],
  build: { overwriteDest: true },
};
