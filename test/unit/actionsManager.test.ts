import { describe, expect, it } from "vitest";
import { ActionsManager } from "../../src/actions/ActionsManager.js";
import { ConsoleLogAction } from "../../src/actions/ConsoleLogAction.js";
import type { Recipe } from "../../src/core/index.js";

const recipe = (action: string, capabilities?: string[]): Recipe => ({
  id: 1,
  name: "r",
  revision_id: "1",
  action,
  arguments: { message: "hi" },
  filter_expression: "true",
  ...(capabilities ? { capabilities } : {}),
});

describe("ActionsManager", () => {
  const manager = () => new ActionsManager(new Map([["console-log", new ConsoleLogAction(() => undefined)]]));

  it("reports a recipe for an unknown action as download_error (Normandy's RECIPE_INVALID_ACTION)", async () => {
    expect(await manager().processRecipe(recipe("show-heartbeat"), "filter-match")).toMatchObject({
      status: "download_error",
      detail: 'unknown action "show-heartbeat"',
    });
  });

  it("reports it as backoff when its capabilities already ruled it out", async () => {
    expect(await manager().processRecipe(recipe("show-heartbeat", ["action.show-heartbeat"]), "capabilities-mismatch")).toMatchObject({
      status: "backoff",
    });
  });
});
