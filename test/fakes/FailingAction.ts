import type { FinalizeOptions } from "../../src/actions/BaseAction.js";
import { ConsoleLogAction } from "../../src/actions/ConsoleLogAction.js";

/** A console-log action whose pre- or post-execution hook throws, for the failures an action reports. */
export class FailingAction extends ConsoleLogAction {
  constructor(private readonly failing: "pre" | "post") {
    super(() => undefined);
  }

  protected override async preExecution(): Promise<void> {
    if (this.failing === "pre") throw new Error("the store could not be read");
  }

  protected override async finalizeRun(_options: FinalizeOptions): Promise<void> {
    if (this.failing === "post") throw new Error("unenrolling an unseen study failed");
  }
}
