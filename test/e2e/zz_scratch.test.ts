import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "vitest";
import { startRecipeServer } from "../../server/recipeServer.js";
import { launchFirefox } from "./harness/index.js";

it("scratch", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "scratch-"));
  const server = await startRecipeServer({ dataDir, port: 0 });
  const firefox = await launchFirefox({ name: "scratch" });
  try {
    server.store.create({ name: "Hello", action: "console-log", arguments: { message: "hi" }, filter_expression: "true", capabilities: [] }, true);
    server.store.create({ name: "Multi <b>", action: "multi-preference-experiment", arguments: { slug: "s", userFacingName: "n", userFacingDescription: "d", isEnrollmentPaused: false,
      branches: [{ slug: "control", ratio: 1, preferences: { "a.b": { preferenceType: "boolean", preferenceBranchType: "default", preferenceValue: true } } }] }, filter_expression: "normandy.channel == 'release'", capabilities: [] }, false);
    await server.publish();
    await firefox.navigate(`${server.url}/`);
    await firefox.screenshot("test-results/screenshots/scratch-list.png");
    await firefox.navigate(`${server.url}/recipes/2`);
    await new Promise((r) => setTimeout(r, 500));
    await firefox.screenshot("test-results/screenshots/scratch-edit.png");
    await firefox.navigate(`${server.url}/recipes/new`);
    await new Promise((r) => setTimeout(r, 500));
    await firefox.screenshot("test-results/screenshots/scratch-new.png");
    console.log(await firefox.evalInContent(`return document.body.innerText.slice(0, 3000)`));
  } finally {
    await firefox.dispose();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
