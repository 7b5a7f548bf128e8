import { ACTION_SCHEMAS, type JsonSchema } from "../core/index.js";
import type { PrefValue } from "../../experiment-apis/prefs/interface.js";
import { PreferenceExperimentAction, type ExperimentArguments } from "./PreferenceExperimentAction.js";

interface SinglePreferenceArguments {
  slug: string;
  preferenceName: string;
  preferenceType: string;
  preferenceBranchType?: string;
  isHighPopulation?: boolean;
  isEnrollmentPaused: boolean;
  branches: { slug: string; ratio: number; value: PrefValue }[];
}

/**
 * The legacy single-preference shape (`preference-experiment`, `single-preference-experiment`), as
 * Normandy's SinglePreferenceExperimentAction handled it: the arguments are rewritten into the
 * multi-preference shape, each branch setting the one pref, with no user-facing name or description. Its
 * experiments are recorded under its own action name, so each action only ends its own.
 */
export class SinglePreferenceExperimentAction extends PreferenceExperimentAction {
  override readonly name: string = "SinglePreferenceExperimentAction";
  protected override readonly schema: JsonSchema = ACTION_SCHEMAS["single-preference-experiment"];

  protected override experimentArguments(args: Record<string, unknown>): ExperimentArguments {
    const {
      slug,
      preferenceName,
      preferenceType,
      preferenceBranchType,
      isHighPopulation,
      isEnrollmentPaused,
      branches,
    } = args as unknown as SinglePreferenceArguments;
    return {
      slug,
      userFacingName: null,
      userFacingDescription: null,
      ...(isHighPopulation === undefined ? {} : { isHighPopulation }),
      isEnrollmentPaused,
      branches: branches.map(({ slug: branchSlug, ratio, value }) => ({
        slug: branchSlug,
        ratio,
        preferences: {
          [preferenceName]: {
            preferenceType,
            ...(preferenceBranchType === undefined ? {} : { preferenceBranchType }),
            preferenceValue: value,
          },
        },
      })),
    };
  }
}
