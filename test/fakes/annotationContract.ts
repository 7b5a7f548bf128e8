import {
  EXPERIMENT_ANNOTATION_TYPES,
  type ExperimentAnnotationOptions,
} from "../../experiment-apis/telemetry/interface.js";

/**
 * Throws where Firefox's schema check of `setExperimentActive` would (telemetry `schema.json`'s
 * ExperimentAnnotationOptions): a type outside the enum, an enrollment id that is not a string, or any
 * other property.
 */
export function assertAnnotationOptions(slug: string, options: ExperimentAnnotationOptions): void {
  const { type, enrollmentId, ...others } = options;
  if (!(EXPERIMENT_ANNOTATION_TYPES as readonly string[]).includes(type))
    throw new Error(`annotation ${slug}: unknown type ${JSON.stringify(type)}`);
  if (enrollmentId !== undefined && typeof enrollmentId !== "string")
    throw new Error(`annotation ${slug}: enrollmentId must be a string`);
  const unexpected = Object.keys(others);
  if (unexpected.length > 0) throw new Error(`annotation ${slug}: unexpected properties ${unexpected.join(", ")}`);
}
