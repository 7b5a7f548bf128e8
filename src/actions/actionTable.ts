import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";
import type { AddonRollouts } from "../rollouts/AddonRollouts.js";
import type { PreferenceRollouts } from "../rollouts/PreferenceRollouts.js";
import type { AddonStudyStore } from "../stores/AddonStudyStore.js";
import type { PreferenceExperimentStore } from "../stores/PreferenceExperimentStore.js";
import type { ForcedEnrollment } from "../core/index.js";
import type { AddonStudies } from "../studies/AddonStudies.js";
import type { PreferenceExperiments } from "../studies/PreferenceExperiments.js";
import { ActionsManager } from "./ActionsManager.js";
import { AddonRollbackAction } from "./AddonRollbackAction.js";
import { AddonRolloutAction } from "./AddonRolloutAction.js";
import type { BaseAction } from "./BaseAction.js";
import { BranchedAddonStudyAction } from "./BranchedAddonStudyAction.js";
import { ConsoleLogAction } from "./ConsoleLogAction.js";
import { PreferenceExperimentAction, type PreferenceExperimentActionDeps } from "./PreferenceExperimentAction.js";
import { PreferenceRollbackAction } from "./PreferenceRollbackAction.js";
import { PreferenceRolloutAction } from "./PreferenceRolloutAction.js";
import { ShowHeartbeatAction, type ShowHeartbeatActionDeps } from "./ShowHeartbeatAction.js";
import { SinglePreferenceExperimentAction } from "./SinglePreferenceExperimentAction.js";

/** The long-lived modules the actions work through (one set per client; actions are made afresh per run). */
export interface ActionTableDeps {
  prefs: PrefsApi;
  preferenceExperiments: PreferenceExperiments;
  preferenceExperimentStore: PreferenceExperimentStore;
  preferenceRollouts: PreferenceRollouts;
  addonStudies: AddonStudies;
  addonStudyStore: AddonStudyStore;
  addonRollouts: AddonRollouts;
  /** The randomization id (`normandy.userId`) that picks branches. */
  userId(): Promise<string>;
  /** Where `console-log` writes its message. */
  consoleLog(message: string): void;
  /** What `show-heartbeat` works through: the session's surveys, their store, the client's facts. */
  heartbeat: ShowHeartbeatActionDeps;
  warn(message: string): void;
}

/**
 * Every action this client runs, by the name recipes give, freshly made for one run; with `forced`, for QA's
 * "Run here" of one recipe, whose enrollment is then marked as forced.
 */
export function createActionTable(deps: ActionTableDeps, forced?: ForcedEnrollment): ActionsManager {
  const { prefs, userId, warn } = deps;
  const preferenceStudyDeps: PreferenceExperimentActionDeps = {
    prefs,
    experiments: deps.preferenceExperiments,
    store: deps.preferenceExperimentStore,
    userId,
    warn,
    ...(forced ? { forced } : {}),
  };
  const singlePreferenceExperiment = new SinglePreferenceExperimentAction(preferenceStudyDeps);
  return new ActionsManager(
    new Map<string, BaseAction>([
      ["console-log", new ConsoleLogAction(deps.consoleLog)],
      ["multi-preference-experiment", new PreferenceExperimentAction(preferenceStudyDeps)],
      // Legacy names of the single-preference shape; one action serves both.
      ["single-preference-experiment", singlePreferenceExperiment],
      ["preference-experiment", singlePreferenceExperiment],
      ["preference-rollout", new PreferenceRolloutAction(deps.preferenceRollouts, forced)],
      ["preference-rollback", new PreferenceRollbackAction(deps.preferenceRollouts)],
      [
        "branched-addon-study",
        new BranchedAddonStudyAction({
          prefs,
          studies: deps.addonStudies,
          store: deps.addonStudyStore,
          userId,
          warn,
          ...(forced ? { forced } : {}),
        }),
      ],
      ["addon-rollout", new AddonRolloutAction(deps.addonRollouts)],
      ["addon-rollback", new AddonRollbackAction(deps.addonRollouts)],
      ["show-heartbeat", new ShowHeartbeatAction(deps.heartbeat)],
    ]),
  );
}
