import type { LoggedEvent } from "../stores/EventLogStore.js";

/**
 * Where a recorded event goes besides Glean: the local event log and the intake uploader (which keeps it
 * only while telemetry upload is enabled).
 */
export interface EventSink {
  append(event: LoggedEvent): Promise<void>;
}

/** One sink that appends every event to each of `sinks`, in order. */
export function allOf(...sinks: EventSink[]): EventSink {
  return {
    async append(event) {
      for (const sink of sinks) await sink.append(event);
    },
  };
}
