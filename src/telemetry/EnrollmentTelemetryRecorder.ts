import { NORMANDY_EVENT_CATEGORY } from "../core/index.js";
import { fitExtraValues, normandyEventProblem } from "../core/index.js";
import type { ExperimentAnnotationOptions, TelemetryApi } from "../../experiment-apis/telemetry/interface.js";
import type {
  EnrollmentEventExtra,
  EnrollmentEventMethod,
  EnrollmentEventObject,
  EnrollmentTelemetry,
} from "./EnrollmentTelemetry.js";
import type { EventSink } from "./EventSink.js";

/**
 * Records enrollment events to Glean through the telemetry experiment API and appends each one, as
 * recorded, to the event sink: `[timestamp, "normandy", method, object, value, extra]`.
 */
export class EnrollmentTelemetryRecorder implements EnrollmentTelemetry {
  constructor(
    private readonly telemetry: TelemetryApi,
    private readonly events: EventSink,
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

  setExperimentActive(slug: string, branch: string, options: ExperimentAnnotationOptions): Promise<void> {
    return this.telemetry.setExperimentActive(slug, branch, options);
  }

  setExperimentInactive(slug: string): Promise<void> {
    return this.telemetry.setExperimentInactive(slug);
  }
}
