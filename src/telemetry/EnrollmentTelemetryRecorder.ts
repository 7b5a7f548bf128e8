import { NORMANDY_EVENT_CATEGORY } from "../core/index.js";
import { fitExtraValues, normandyEventProblem } from "../core/index.js";
import type { ExperimentAnnotationOptions, TelemetryApi } from "../../experiment-apis/telemetry/interface.js";
import type {
  EnrollmentEventExtra,
  EnrollmentEventMethod,
  EnrollmentEventObject,
  EnrollmentTelemetry,
} from "./EnrollmentTelemetry.js";
import type { LoggedEvent } from "../stores/EventLogStore.js";
import type { EventSink } from "./EventSink.js";

/** The newest event of the local event log that matches (EventLogStore.newest). */
export type NewestLoggedEvent = (matches: (event: LoggedEvent) => boolean) => Promise<LoggedEvent | undefined>;

/**
 * Records enrollment events to Glean through the telemetry experiment API and appends each one, as
 * recorded, to the event sink: `[timestamp, "normandy", method, object, value, extra]`. The sink must
 * write the event log last, so an event found in the log is in every other sink too (recordEventOnce).
 */
export class EnrollmentTelemetryRecorder implements EnrollmentTelemetry {
  constructor(
    private readonly telemetry: TelemetryApi,
    private readonly events: EventSink,
    private readonly newestLogged: NewestLoggedEvent,
  ) {}

  async recordEvent<Method extends EnrollmentEventMethod>(
    method: Method,
    object: EnrollmentEventObject<Method>,
    value: string,
    extra: EnrollmentEventExtra<Method>,
  ): Promise<void> {
    // Checked here as well as in the parent script, so the error's stack leads to the caller.
    const problem = normandyEventProblem(method, object, value, extra);
    if (problem !== null) throw new Error(problem);
    const recorded = fitExtraValues(extra as Record<string, string>);
    const timestamp = await this.telemetry.recordEvent(method, object, value, recorded);
    await this.events.append([timestamp, NORMANDY_EVENT_CATEGORY, method, object, value, recorded]);
  }

  async recordEventOnce<Method extends EnrollmentEventMethod>(
    method: Method,
    object: EnrollmentEventObject<Method>,
    value: string,
    extra: EnrollmentEventExtra<Method>,
  ): Promise<void> {
    const newest = await this.newestLogged(
      ([, category, , loggedObject, loggedValue]) =>
        category === NORMANDY_EVENT_CATEGORY && loggedObject === object && loggedValue === value,
    );
    const recorded = fitExtraValues(extra as Record<string, string>);
    // Glean cannot be asked: a crash between its record and the log's write leaves it the event twice.
    if (newest && isSameEvent({ method: newest[2], extra: newest[5] ?? {} }, method, recorded)) return;
    await this.recordEvent(method, object, value, extra);
  }

  setExperimentActive(slug: string, branch: string, options: ExperimentAnnotationOptions): Promise<void> {
    return this.telemetry.setExperimentActive(slug, branch, options);
  }

  setExperimentInactive(slug: string): Promise<void> {
    return this.telemetry.setExperimentInactive(slug);
  }
}

/** Whether a recorded event is the event `method` with `extra` (its object and value already matched). */
export function isSameEvent(
  recorded: { method: string; extra: Readonly<Record<string, string>> },
  method: string,
  extra: Readonly<Record<string, string>>,
): boolean {
  const keys = Object.keys(recorded.extra);
  return (
    recorded.method === method &&
    keys.length === Object.keys(extra).length &&
    keys.every((key) => recorded.extra[key] === extra[key])
  );
}
