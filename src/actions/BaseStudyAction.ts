import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";
import { studiesDisabledReason } from "../config/studiesGate.js";
import { BaseAction } from "./BaseAction.js";

/**
 * An action that enrolls users in studies (Normandy's BaseStudyAction): disabled for the whole run when an
 * enterprise policy blocks studies or the user opted out of them. A disabled action reports
 * `custom_1_error` for each of its recipes (RECIPE_ACTION_DISABLED) and is not finalized, so nothing is
 * unenrolled because its recipes went unseen.
 */
export abstract class BaseStudyAction extends BaseAction {
  constructor(private readonly studyPrefs: PrefsApi) {
    super();
  }

  protected override disabledReason(): Promise<string | null> {
    return studiesDisabledReason(this.studyPrefs);
  }
}
