import { describe, expect, it } from "vitest";
import { ActionsManager } from "../../src/actions/ActionsManager.js";
import { ConsoleLogAction } from "../../src/actions/ConsoleLogAction.js";
import type { Recipe } from "../../src/core/index.js";
import { FailingAction } from "../fakes/FailingAction.js";

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
    expect(
      await manager().processRecipe(recipe("show-heartbeat", ["action.show-heartbeat"]), "capabilities-mismatch"),
    ).toMatchObject({
      status: "backoff",
    });
  });
});

describe("an action that fails keeps the cause (Normandy's lastError)", () => {
  it("pre-execution: custom_1_error for the action, its recipes say why", async () => {
    const manager = new ActionsManager(new Map([["console-log", new FailingAction("pre")]]));
    expect(await manager.processRecipe(recipe("console-log"), "filter-match")).toMatchObject({
      status: "custom_1_error",
      detail: "ConsoleLogAction failed in pre-execution: the store could not be read",
    });
    expect(await manager.finalize({ noRecipes: false })).toEqual(
      new Map([
        [
          "ConsoleLogAction",
          { status: "custom_1_error", failure: { step: "pre-execution", message: "the store could not be read" } },
        ],
      ]),
    );
  });

  it("post-execution: custom_2_error with the message", async () => {
    const manager = new ActionsManager(new Map([["console-log", new FailingAction("post")]]));
    expect(await manager.processRecipe(recipe("console-log"), "filter-match")).toMatchObject({ status: "success" });
    expect(await manager.finalize({ noRecipes: false })).toEqual(
      new Map([
        [
          "ConsoleLogAction",
          {
            status: "custom_2_error",
            failure: { step: "post-execution", message: "unenrolling an unseen study failed" },
          },
        ],
      ]),
    );
  });
});
