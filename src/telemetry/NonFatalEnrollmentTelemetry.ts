import type { ExperimentAnnotationOptions } from "../../experiment-apis/telemetry/interface.js";
import type {
  EnrollmentEventExtra,
  EnrollmentEventMethod,
  EnrollmentEventObject,
  EnrollmentTelemetry,
} from "./EnrollmentTelemetry.js";

/**
 * Enrollment telemetry whose failures are logged, never thrown: telemetry must not change what happens to a
 * study or a rollout (one left half enrolled because an event could not be recorded).
 */
export class NonFatalEnrollmentTelemetry implements EnrollmentTelemetry {
  constructor(
    private readonly telemetry: EnrollmentTelemetry,
    private readonly warn: (message: string) => void,
  ) {}

  recordEvent<Method extends EnrollmentEventMethod>(
    method: Method,
    object: EnrollmentEventObject<Method>,
    value: string,
    extra: EnrollmentEventExtra<Method>,
  ): Promise<void> {
    return this.logged(
      () => this.telemetry.recordEvent(method, object, value, extra),
      `Recording the ${method} event of ${value}`,
    );
  }

  recordEventOnce<Method extends EnrollmentEventMethod>(
    method: Method,
    object: EnrollmentEventObject<Method>,
    value: string,
    extra: EnrollmentEventExtra<Method>,
  ): Promise<void> {
    return this.logged(
      () => this.telemetry.recordEventOnce(method, object, value, extra),
      `Recording the ${method} event of ${value}`,
    );
  }

  /** recordEventOnce when `once` (start-up repair of an add-on change), recordEvent otherwise. */
  recordEventOnceIf<Method extends EnrollmentEventMethod>(
    { once }: { once: boolean },
    method: Method,
    object: EnrollmentEventObject<Method>,
    value: string,
    extra: EnrollmentEventExtra<Method>,
  ): Promise<void> {
    return once ? this.recordEventOnce(method, object, value, extra) : this.recordEvent(method, object, value, extra);
  }

  setExperimentActive(slug: string, branch: string, options: ExperimentAnnotationOptions): Promise<void> {
    return this.logged(() => this.telemetry.setExperimentActive(slug, branch, options), `Annotating ${slug} as active`);
  }

  setExperimentInactive(slug: string): Promise<void> {
    return this.logged(() => this.telemetry.setExperimentInactive(slug), `Annotating ${slug} as inactive`);
  }

  private async logged(step: () => Promise<void>, what: string): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.warn(`${what} failed: ${String(error)}`);
    }
  }
}
