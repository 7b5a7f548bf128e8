import type { ExperimentAnnotationOptions } from "../../experiment-apis/telemetry/interface.js";
import type {
  EnrollmentEventExtra,
  EnrollmentEventMethod,
  EnrollmentEventObject,
  EnrollmentTelemetry,
} from "../../src/telemetry/EnrollmentTelemetry.js";
import { isSameEvent } from "../../src/telemetry/EnrollmentTelemetryRecorder.js";
import { fitExtraValues, normandyEventProblem } from "../../src/core/index.js";
import { assertAnnotationOptions } from "./annotationContract.js";

export interface RecordedEvent {
  method: string;
  object: string;
  value: string;
  extra: Record<string, string>;
}

/**
 * Keeps enrollment events and the experiment annotations in memory, in order. Refuses what the real recorder
 * and Firefox refuse: an event outside the registry (required keys included), annotation options outside the schema.
 */
export class FakeEnrollmentTelemetry implements EnrollmentTelemetry {
  readonly events: RecordedEvent[] = [];
  /** The annotations now active, by slug. */
  readonly active = new Map<string, { branch: string } & ExperimentAnnotationOptions>();

  async recordEvent<Method extends EnrollmentEventMethod>(
    method: Method,
    object: EnrollmentEventObject<Method>,
    value: string,
    extra: EnrollmentEventExtra<Method>,
  ): Promise<void> {
    // The registry check the real recorder makes (and the parent script again), and the extras as it records them.
    const problem = normandyEventProblem(method, object, value, extra);
    if (problem !== null) throw new Error(problem);
    this.events.push({ method, object, value, extra: fitExtraValues(extra as Record<string, string>) });
  }

  async recordEventOnce<Method extends EnrollmentEventMethod>(
    method: Method,
    object: EnrollmentEventObject<Method>,
    value: string,
    extra: EnrollmentEventExtra<Method>,
  ): Promise<void> {
    const newest = this.events.findLast((event) => event.object === object && event.value === value);
    if (!newest || !isSameEvent(newest, method, extra as Record<string, string>))
      await this.recordEvent(method, object, value, extra);
  }

  async setExperimentActive(slug: string, branch: string, options: ExperimentAnnotationOptions): Promise<void> {
    assertAnnotationOptions(slug, options);
    this.active.set(slug, { branch, ...options });
  }

  async setExperimentInactive(slug: string): Promise<void> {
    this.active.delete(slug);
  }

  /** The events with `method`, in order. */
  eventsOf(method: EnrollmentEventMethod): RecordedEvent[] {
    return this.events.filter((event) => event.method === method);
  }
}
