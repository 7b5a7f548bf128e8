import type { ClientContextApi } from "../../experiment-apis/clientContext/interface.js";
import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";
import { DEFAULT_SURVEY_DURATION_SECONDS, SURVEY_DURATION_PREF, type PostAnswerFacts } from "../core/index.js";
import type { AddonStudyStore } from "../stores/AddonStudyStore.js";
import type { PreferenceExperimentStore } from "../stores/PreferenceExperimentStore.js";

/** What Normandy's post-answer URL says about the client (but the user id), read from Firefox. */
export async function postAnswerFacts(api: ClientContextApi): Promise<Omit<PostAnswerFacts, "userId">> {
  const [app, isDefaultBrowser, searchEngine] = await Promise.all([
    api.getAppFacts(),
    api.isDefaultBrowser(),
    api.getDefaultSearchEngine(),
  ]);
  return {
    firefoxVersion: app.appinfo.version ?? app.version,
    isDefaultBrowser,
    searchEngine,
    syncSetup: app.syncSetup,
    updateChannel: app.channel,
  };
}

/**
 * The branch this client is in for the study `slug`: an active preference study, else an active add-on
 * study of that slug; null when it is in neither (or the study ended).
 */
export function studyBranchLookup(
  preferenceStudies: PreferenceExperimentStore,
  addonStudies: AddonStudyStore,
): (slug: string) => Promise<string | null> {
  return async (slug) => {
    const preferenceStudy = (await preferenceStudies.getAllActive()).find((study) => study.slug === slug);
    if (preferenceStudy) return preferenceStudy.branch;
    return (await addonStudies.getAllActive()).find((study) => study.slug === slug)?.branch ?? null;
  };
}

/** How long an unanswered survey stays up: `browser.uitour.surveyDuration` seconds, 300 without it (Normandy's). */
export async function surveyDurationMs(prefs: Pick<PrefsApi, "getPref">): Promise<number> {
  const seconds = await prefs.getPref(SURVEY_DURATION_PREF, "user");
  return (typeof seconds === "number" ? seconds : DEFAULT_SURVEY_DURATION_SECONDS) * 1000;
}
