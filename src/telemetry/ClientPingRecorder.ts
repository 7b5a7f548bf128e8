import { clientPingCategory } from "../core/index.js";
import { clientPingProblem } from "../core/index.js";
import type { ClientPing, TelemetryApi } from "../../experiment-apis/telemetry/interface.js";
import type { LoggedEvent } from "../stores/EventLogStore.js";
import type { EventSink } from "./EventSink.js";

/**
 * A client ping in the event format: `[timestamp, "recipe_client.<type>", <type>, <event>, <value>,
 * <the other fields>]`, e.g. `[…, "recipe_client.undesired", "undesired", "TARGETING_EXPRESSION_ERROR",
 * "MALFORMED_EXPRESSION", {recipe_id: "12"}]`. The ping is `{event: object, value, ...extra}` again.
 */
export function clientPingEvent(timestamp: number, { type, event, value, fields }: ClientPing): LoggedEvent {
  return [timestamp, clientPingCategory(type), type, event, value, { ...fields }];
}

/**
 * Records client pings (health, performance, undesired events) to Glean through the telemetry experiment API,
 * in one call per batch, and appends each to the event sink, so they reach the local log and, while
 * telemetry upload is enabled, the intake, batched with the other events.
 */
export class ClientPingRecorder {
  constructor(
    private readonly telemetry: TelemetryApi,
    private readonly events: EventSink,
  ) {}

  /** Throws, recording none, when a ping is outside the registry: that is a programming error. */
  async record(...pings: ClientPing[]): Promise<void> {
    if (pings.length === 0) return;
    // Checked here as well as in the parent script, so the error's stack leads to the caller.
    for (const ping of pings) {
      const problem = clientPingProblem(ping);
      if (problem !== null) throw new Error(problem);
    }
    const timestamp = await this.telemetry.recordClientPings(pings);
    await this.events.append(...pings.map((ping) => clientPingEvent(timestamp, ping)));
  }
}
