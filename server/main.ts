/**
 * CLI entry of the local recipe server: `node build/server.mjs`. Configuration comes from the embedded
 * defaults and RECIPE_SERVER_PORT / RECIPE_SERVER_DATA / RECIPE_SERVER_COUNTRY.
 */
import { addonPrefs, userJsLines } from "./addonPrefs.js";
import { settingsFromEnvironment } from "./config.js";
import { RECIPES_BUCKET, RECIPES_COLLECTION } from "./changeset.js";
import { PREVIEW_BUCKET } from "./previewCollection.js";
import { startRecipeServer, type RunningRecipeServer } from "./recipeServer.js";
import type { RecipeFields } from "./recipeStore.js";

/** A harmless recipe so a fresh server has something to deliver: it only writes to the browser console. */
const SAMPLE_RECIPE: RecipeFields = {
  name: "Hello from the local recipe server",
  action: "console-log",
  arguments: { message: "Hello from the local recipe server" },
  filter_expression: "true",
  capabilities: [],
};

async function main(): Promise<void> {
  const settings = settingsFromEnvironment(process.env);
  const server = await startRecipeServer(settings);
  if (server.firstStart) {
    server.store.create(SAMPLE_RECIPE, true);
    await server.publish();
  }
  printWelcome(server);
  stopOnSignals(server);
}

function printWelcome(server: RunningRecipeServer): void {
  const { config } = server;
  const prefs = addonPrefs(config);
  const width = Math.max(...prefs.map(({ name }) => name.length));
  console.log(
    [
      `Local recipe server: QA page ${server.url}/`,
      `  Recipes changeset: ${config.remoteSettingsUrl}/buckets/${RECIPES_BUCKET}/collections/${RECIPES_COLLECTION}/changeset`,
      `  Preview changeset: ${config.remoteSettingsUrl}/buckets/${PREVIEW_BUCKET}/collections/${RECIPES_COLLECTION}/changeset (drafts signed on request; emptied at every start)`,
      "",
      "Point the add-on at this server with these prefs (about:config):",
      ...prefs.map(({ name, value }) => `  ${name.padEnd(width)}  ${value}`),
      "or these lines in the profile folder's user.js:",
      ...userJsLines(prefs),
      "The add-on sends telemetry to the intake only while datareporting.healthreport.uploadEnabled is true.",
      "",
      "Press Ctrl+C to stop.",
    ].join("\n"),
  );
}

function stopOnSignals(server: RunningRecipeServer): void {
  const stop = (signal: NodeJS.Signals): void => {
    console.log(`\n${signal} received, stopping the recipe server.`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("recipe-server: failed to stop cleanly", error);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error("recipe-server: failed to start", error);
  process.exit(1);
});
