import type { StartupStep } from "../core/index.js";
import type { ClientPingRecorder } from "./ClientPingRecorder.js";

export interface StartupStepsDeps {
  pings: ClientPingRecorder;
  error(message: string): void;
}

/**
 * Runs the background page's start-up steps so that a failing one is reported, not lost: its error goes to
 * the browser console, and an `ADDON_INIT_FAILED` undesired-event ping naming the step (never the error's
 * text, which may quote stored values) goes to Glean, the event log and the intake. The next step runs
 * either way: one broken store must not keep the rest of the client from starting.
 */
export class StartupSteps {
  constructor(private readonly deps: StartupStepsDeps) {}

  /** Resolves to whether the step succeeded; never rejects. */
  async run(step: StartupStep, work: () => Promise<unknown>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (error) {
      this.deps.error(`Start-up step ${step} failed: ${error instanceof Error ? error.message : String(error)}`);
      await this.deps.pings
        .record({ type: "undesired", event: "ADDON_INIT_FAILED", value: step, fields: {} })
        .catch((reportError: unknown) =>
          this.deps.error(`Cannot report that start-up step ${step} failed: ${String(reportError)}`),
        );
      return false;
    }
  }
}
