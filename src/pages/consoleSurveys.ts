/**
 * The QA console's heartbeat surveys: every survey of the verified collection and every survey this client
 * has shown, with when it was last shown, how often, the answer and how it ended; "Show now" shows a
 * published one at once (the background page takes it from the verified collection, never from the page).
 */
import type { SurveyRecord } from "../stores/HeartbeatStore.js";
import type { PublishedSurvey, SurveysState } from "../messages.js";
import { askBackground } from "./askBackground.js";
import { byId, cell, element, errorText, say } from "./dom.js";

interface SurveyRow {
  recipeId: number;
  published: PublishedSurvey | undefined;
  state: SurveyRecord | undefined;
}

function rows({ published, states }: SurveysState): SurveyRow[] {
  const ids = [
    ...new Set([...published.map(({ recipeId }) => recipeId), ...states.map(({ recipeId }) => recipeId)]),
  ].sort((a, b) => a - b);
  return ids.map((recipeId) => ({
    recipeId,
    published: published.find((survey) => survey.recipeId === recipeId),
    state: states.find((state) => state.recipeId === recipeId),
  }));
}

function answerText(state: SurveyRecord | undefined): string {
  if (!state?.answer) return "";
  const answer =
    state.answer.type === "stars"
      ? `${state.answer.score} star${state.answer.score === 1 ? "" : "s"}`
      : "engaged (button)";
  return state.lastInteraction === null ? answer : `${answer}, ${new Date(state.lastInteraction).toLocaleString()}`;
}

export async function refreshSurveys(): Promise<void> {
  const state = await askBackground({ type: "get-surveys" });
  const body = byId<HTMLTableSectionElement>("surveys");
  body.replaceChildren();
  const all = rows(state);
  byId("surveys-empty").hidden = all.length > 0;
  for (const { recipeId, published, state: shown } of all) {
    const row = body.insertRow();
    row.dataset["recipeId"] = String(recipeId);
    cell(row, `${recipeId} ${published?.name ?? "(no longer published)"}`);
    cell(row, published?.surveyId ?? shown?.surveyId ?? "");
    cell(row, published?.message ?? "");
    cell(row, shown ? `${new Date(shown.lastShown).toLocaleString()} (${shown.timesShown}×)` : "never");
    cell(row, answerText(shown));
    cell(row, shown?.outcome ?? "", "survey-outcome");
    const actions = row.insertCell();
    if (published) {
      const button = element("button", "", "Show now");
      button.type = "button";
      button.addEventListener("click", () => void showNow(recipeId, button));
      actions.append(button);
    }
  }
}

async function showNow(recipeId: number, button: HTMLButtonElement): Promise<void> {
  const status = byId("surveys-status");
  button.disabled = true;
  try {
    await askBackground({ type: "show-survey", recipeId });
    say(status, `Survey of recipe ${recipeId} shown in the browser window.`, "ok");
  } catch (error) {
    say(status, `Cannot show the survey of recipe ${recipeId}: ${errorText(error)}`, "error");
  } finally {
    button.disabled = false;
  }
}
