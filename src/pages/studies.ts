/**
 * The studies page, like Firefox's about:studies: active and completed studies (preference and add-on),
 * newest first (preference studies by last seen, add-on studies by start), "Remove" on active ones (unenrolls
 * with reason `individual-opt-out`), the "no new studies will run" text when studies are turned off, and live
 * updates. It also lists rollouts, which about:studies does not.
 */
import type { PrefValue } from "../../experiment-apis/prefs/interface.js";
import { RUN_HERE_MODE_WORDS, type ForcedEnrollment } from "../core/index.js";
import type { BackgroundRequest, StudiesState } from "../messages.js";
import type { AddonRollout } from "../stores/AddonRolloutStore.js";
import type { AddonStudy } from "../stores/AddonStudyStore.js";
import type { PreferenceExperiment } from "../stores/PreferenceExperimentStore.js";
import type { PreferenceRollout } from "../stores/PreferenceRolloutStore.js";
import { askBackground } from "./askBackground.js";

import { endingKey } from "../studies/studyEndings.js";
import { byId, element, errorText, formatTime, prefValueText, say } from "./dom.js";
import { followChanges } from "./followChanges.js";

/** One row of a list, whatever kind of enrollment it shows. */
interface StudyView {
  name: string;
  description: string;
  /** Small print: the kind, slug, branch, dates. */
  details: string[];
  active: boolean;
  /** The status word shown next to the name. */
  status: string;
  /** Newest first by this (ms since the epoch). */
  sortTime: number;
  /** What "Remove" asks the background page; absent where there is no Remove. */
  remove?: BackgroundRequest;
  /** The button's word when it is not "Remove" (QA's undo of a forced study). */
  removeLabel?: string;
  /** Set on a study QA forced here: how and when, in words. */
  forced?: string;
  /** A preference study's prefs: the value it sets, the value now and before, and whether the user changed it. */
  prefs?: PrefRow[];
  /** Why and when a completed study ended, as far as is known. */
  ending?: string;
}

interface PrefRow {
  name: string;
  studyValue: PrefValue;
  now: PrefValue | null;
  before: PrefValue | null;
  branch: "default" | "user";
  userChanged: boolean;
}

// about:studies' texts.
const ENABLED_TEXT = "What's this? Firefox may install and run studies from time to time.";
const DISABLED_TEXT = "This is a list of studies that you have participated in. No new studies will run.";

const status = byId("status");

function prefsDescription(preferences: { name: string; value: PrefValue }[]): string {
  return preferences.map(({ name, value }) => `Sets ${name} to ${JSON.stringify(value)}.`).join(" ");
}

/** A study QA forced here says so, and its button is QA's undo instead of Remove. */
function forcedView(forced: ForcedEnrollment | undefined, slug: string): Partial<StudyView> {
  if (!forced) return {};
  return {
    forced: `Forced by QA ${RUN_HERE_MODE_WORDS[forced.mode]} on ${formatTime(forced.at)} (recipe ${forced.recipeId}): normal runs leave it alone until it is undone.`,
    remove: { type: "undo-run-here", slug },
    removeLabel: "Undo",
  };
}

function preferenceStudyView(experiment: PreferenceExperiment, state: StudiesState): StudyView {
  const lastSeen = Date.parse(experiment.lastSeen);
  const preferences = Object.entries(experiment.preferences).map(([name, preference]) => ({
    name,
    value: preference.preferenceValue,
  }));
  const prefs = Object.entries(experiment.preferences).map(([name, preference]): PrefRow => {
    const now = state.prefValues[name] ?? null;
    return {
      name,
      studyValue: preference.preferenceValue,
      now,
      before: preference.previousPreferenceValue,
      branch: preference.preferenceBranchType,
      // Recorded when the study saw it (it then leaves the pref alone), or seen now on an active study.
      userChanged: preference.overridden || (!experiment.expired && now !== preference.preferenceValue),
    };
  });
  const reason = state.endings[endingKey("preference_study", experiment.slug)];
  const forced = experiment.forced && !experiment.expired ? experiment.forced : undefined;
  return {
    prefs,
    ...forcedView(forced, experiment.slug),
    ...(experiment.expired
      ? { ending: `Ended (${reason ?? "reason no longer in the event log"}); last seen ${formatTime(lastSeen)}.` }
      : {}),
    name: experiment.userFacingName ?? experiment.slug,
    // Legacy single-preference studies have no description: about:studies shows the pref and value.
    description: experiment.userFacingDescription ?? prefsDescription(preferences),
    details: [
      "Preference study",
      `slug ${experiment.slug}`,
      `branch ${experiment.branch}`,
      `last seen ${formatTime(lastSeen)}`,
    ],
    active: !experiment.expired,
    status: experiment.expired ? "Complete" : "Active",
    sortTime: lastSeen,
    ...(experiment.expired || forced
      ? {}
      : { remove: { type: "remove-preference-study", slug: experiment.slug } as const }),
  };
}

function addonStudyView(study: AddonStudy, state: StudiesState): StudyView {
  const started = Date.parse(study.studyStartDate);
  const addon = study.addonId
    ? `add-on ${study.addonId} ${study.addonVersion ?? ""}`.trim()
    : "no add-on (this branch installs none)";
  const reason = state.endings[endingKey("addon_study", study.slug)];
  const forced = study.forced && study.active ? study.forced : undefined;
  return {
    ...forcedView(forced, study.slug),
    ...(study.active
      ? {}
      : {
          ending: `Ended (${reason ?? "reason no longer in the event log"})${study.studyEndDate ? ` ${formatTime(study.studyEndDate)}` : ""}.`,
        }),
    name: study.userFacingName,
    description: study.userFacingDescription,
    details: ["Add-on study", `slug ${study.slug}`, `branch ${study.branch}`, addon, `started ${formatTime(started)}`],
    active: study.active,
    status: (study.active ? "Active" : "Complete") + (study.pendingChange ? " (add-on change in progress)" : ""),
    sortTime: started,
    ...(study.active && !forced ? { remove: { type: "remove-addon-study", recipeId: study.recipeId } as const } : {}),
  };
}

const ROLLOUT_STATUS: Record<PreferenceRollout["state"] | AddonRollout["state"], string> = {
  active: "Active",
  "rolled-back": "Rolled back",
  graduated: "Graduated",
};

function preferenceRolloutView(rollout: PreferenceRollout): StudyView {
  return {
    ...forcedView(rollout.state === "active" ? rollout.forced : undefined, rollout.slug),
    name: rollout.slug,
    description: prefsDescription(
      rollout.preferences.map(({ preferenceName, value }) => ({ name: preferenceName, value })),
    ),
    details: ["Preference rollout (default branch)"],
    active: rollout.state === "active",
    status: ROLLOUT_STATUS[rollout.state],
    sortTime: 0,
  };
}

function addonRolloutView(rollout: AddonRollout): StudyView {
  return {
    name: rollout.slug,
    description: `Installs ${rollout.addonId} ${rollout.addonVersion}.`,
    details: ["Add-on rollout"],
    active: rollout.state === "active",
    status: ROLLOUT_STATUS[rollout.state] + (rollout.pendingChange ? " (add-on change in progress)" : ""),
    sortTime: 0,
  };
}

/** about:studies' icon letter: the name's first letter once the words "addon", "study" and "pref-flip" are gone. */
function iconLetter(name: string): string {
  const stripped = name.replace(/(?:^|[-_\s])(?:addon|study|pref-flip)(?=$|[-_\s])/gi, "").replace(/^[-_\s]+/, "");
  return (stripped || name).charAt(0);
}

function studyItem(view: StudyView): HTMLLIElement {
  const item = element("li", `study ${view.active ? "active" : "completed"}`);
  const icon = element("div", "study-icon", iconLetter(view.name));
  icon.setAttribute("aria-hidden", "true");
  const header = element("div");
  header.append(element("span", "study-name", view.name), element("span", "study-status", view.status));
  const details = element("div", "study-details");
  details.append(header, element("div", "study-description", view.description));
  if (view.forced) details.append(element("div", "study-forced", view.forced));
  if (view.ending) details.append(element("div", "study-ending", view.ending));
  if (view.prefs) details.append(prefTable(view.prefs));
  details.append(element("div", "study-meta", view.details.join(" · ")));
  item.append(icon, details);

  const remove = view.remove;
  if (remove) {
    const label = view.removeLabel ?? "Remove";
    const button = element("button", "", label);
    button.type = "button";
    button.setAttribute("aria-label", `${label} ${view.name}`);
    button.addEventListener("click", () => void removeStudy(button, view.name, remove));
    item.append(button);
  }
  return item;
}

function prefTable(rows: PrefRow[]): HTMLTableElement {
  const table = element("table", "study-prefs");
  const header = table.createTHead().insertRow();
  for (const title of ["Preference", "Study value", "Value now", "Value before", "Changed by the user?"]) {
    const th = element("th", "", title);
    th.scope = "col";
    header.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    const name = element("th", "", row.name);
    name.scope = "row";
    tr.append(name);
    for (const text of [
      prefValueText(row.studyValue),
      prefValueText(row.now),
      `${prefValueText(row.before)} (${row.branch} branch)`,
    ])
      tr.insertCell().textContent = text;
    const changed = tr.insertCell();
    changed.textContent = row.userChanged ? "Yes" : "No";
    if (row.userChanged) changed.className = "changed";
  }
  return table;
}

async function removeStudy(button: HTMLButtonElement, name: string, request: BackgroundRequest): Promise<void> {
  button.disabled = true;
  say(status, `Removing ${name}…`);
  try {
    await askBackground(request);
    say(status, `${name} was removed.`);
  } catch (error) {
    say(status, `${name} could not be removed: ${errorText(error)}`, "error");
    button.disabled = false;
  }
  // The removed row moves to "Completed studies" on the next refresh; keep focus somewhere stable.
  status.focus();
}

function fillList(list: HTMLElement, views: StudyView[]): void {
  list.replaceChildren(...views.sort((a, b) => b.sortTime - a.sortTime).map(studyItem));
}

function render(state: StudiesState): void {
  const info = byId("studies-info");
  info.classList.toggle("disabled", !state.studiesEnabled);
  byId("studies-info-text").textContent = state.studiesEnabled ? ENABLED_TEXT : DISABLED_TEXT;

  const studies = [
    ...state.preferenceExperiments.map((experiment) => preferenceStudyView(experiment, state)),
    ...state.addonStudies.map((study) => addonStudyView(study, state)),
  ];
  const rollouts = [
    ...state.preferenceRollouts.map(preferenceRolloutView),
    ...state.addonRollouts.map(addonRolloutView),
  ];
  const active = studies.filter((study) => study.active);
  const completed = studies.filter((study) => !study.active);
  fillList(byId("active-studies"), active);
  fillList(byId("completed-studies"), completed);
  fillList(byId("rollouts"), rollouts);

  byId("no-active-studies").hidden = active.length > 0;
  byId("no-completed-studies").hidden = completed.length > 0;
  byId("rollouts-section").hidden = rollouts.length === 0;
}

async function refresh(): Promise<void> {
  render(await askBackground({ type: "get-studies" }));
}

followChanges(refresh);
void refresh();
