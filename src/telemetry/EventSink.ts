import type { LoggedEvent } from "../stores/EventLogStore.js";

/**
 * Where a recorded event goes besides Glean: the local event log and the intake uploader (which keeps it
 * only while telemetry upload is enabled). Events come in batches: a run appends its uptake at once.
 */
export interface EventSink {
  append(...events: LoggedEvent[]): Promise<void>;
}

/** One sink that appends every batch to each of `sinks`, in order. */
export function allOf(...sinks: EventSink[]): EventSink {
  return {
    async append(...events) {
      for (const sink of sinks) await sink.append(...events);
    },
  };
}
