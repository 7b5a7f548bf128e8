import type { LoggedEvent } from "../stores/EventLogStore.js";

/**
 * Where a recorded event goes besides Glean: the local event log and the intake uploader (which keeps it
 * only while telemetry upload is enabled). Events come in batches: a run appends its uptake at once.
 */
export interface EventSink {
  append(...events: LoggedEvent[]): Promise<void>;
}

/**
 * One sink that appends every batch to each of `sinks` in turn, each once the one before has stored it (or
 * failed to): the last sink holds an event only if the others had their chance at it. A failure is thrown
 * once every sink has been tried.
 */
export function oneAfterAnother(...sinks: EventSink[]): EventSink {
  return {
    async append(...events) {
      let failure: { reason: unknown } | null = null;
      for (const sink of sinks) {
        try {
          await sink.append(...events);
        } catch (reason) {
          failure ??= { reason };
        }
      }
      if (failure) throw failure.reason;
    },
  };
}

/**
 * One sink that appends every batch to each of `sinks`, all at once: they store independently, and one that
 * fails does not keep the batch from the others.
 */
export function allOf(...sinks: EventSink[]): EventSink {
  return {
    async append(...events) {
      const outcomes = await Promise.allSettled(sinks.map((sink) => sink.append(...events)));
      const failure = outcomes.find((outcome) => outcome.status === "rejected");
      if (failure) throw failure.reason;
    },
  };
}
