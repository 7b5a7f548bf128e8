import type { ExperimentAnnotationOptions } from "../../experiment-apis/telemetry/interface.js";
import type { EnrollmentEventExtra, EnrollmentEventMethod, EnrollmentEventObject, EnrollmentTelemetry } from "./EnrollmentTelemetry.js";

/**
 * EnrollmentTelemetry whose failures are logged, never thrown: telemetry never changes what happens to a
 * study or rollout (an event refused by the registry is still a bug, and the log says so).
 */
export class QuietEnrollmentTelemetry implements EnrollmentTelemetry {
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
    return this.quietly(() => this.telemetry.recordEvent(method, object, value, extra), `Recording ${method}/${object} of ${value}`);
  }

  setExperimentActive(slug: string, branch: string, options: ExperimentAnnotationOptions): Promise<void> {
    return this.quietly(() => this.telemetry.setExperimentActive(slug, branch, options), `Annotating ${slug} as active`);
  }

  setExperimentInactive(slug: string): Promise<void> {
    return this.quietly(() => this.telemetry.setExperimentInactive(slug), `Annotating ${slug} as inactive`);
  }

  private async quietly(step: () => Promise<void>, what: string): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.warn(`${what} failed: ${String(error)}`);
    }
  }
}
