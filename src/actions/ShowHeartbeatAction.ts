import {
  ACTION_SCHEMAS,
  learnMoreLink,
  messageIdFor,
  postAnswerUrlFor,
  shouldShowSurvey,
  studyBindingProblem,
  surveyAudience,
  surveyIdFor,
  type HeartbeatArguments,
  type PostAnswerFacts,
  type Recipe,
  validateJson,
} from "../core/index.js";
import type { HeartbeatSurveys, SurveyToShow } from "../heartbeat/HeartbeatSurveys.js";
import type { HeartbeatStore } from "../stores/HeartbeatStore.js";
import { BaseAction } from "./BaseAction.js";

export interface ShowHeartbeatActionDeps {
  surveys: HeartbeatSurveys;
  store: HeartbeatStore;
  /** `normandy.userId`. */
  userId(): Promise<string>;
  /** What Normandy's post-answer URL says about the client, but the user id. */
  postAnswerFacts(): Promise<Omit<PostAnswerFacts, "userId">>;
  /** The branch of the active preference or add-on study `slug` this client is in, null when none. */
  studyBranch(slug: string): Promise<string | null>;
  now(): number;
  info(message: string): void;
}

/**
 * `show-heartbeat` (Normandy's ShowHeartbeatAction, reference §2.6): shows a survey in the top window's
 * notification bar unless one was shown in the last 24 hours or its `repeatOption` says no (`shouldShowSurvey`).
 * Not gated by the studies opt-out, as in Normandy (it extends BaseAction). A survey bound to a study
 * (`study`, beyond Normandy's schema) is shown only to that study's branch, and counts as reached in the others.
 */
export class ShowHeartbeatAction extends BaseAction {
  readonly name = "ShowHeartbeatAction";
  protected readonly schema = ACTION_SCHEMAS["show-heartbeat"];

  constructor(private readonly deps: ShowHeartbeatActionDeps) {
    super();
  }

  protected async run(recipe: Recipe): Promise<void> {
    const args = recipe.arguments as unknown as HeartbeatArguments;
    const bindingProblem = studyBindingProblem(args.study);
    if (bindingProblem !== null) throw new Error(bindingProblem);
    const { deps } = this;
    const messageId = messageIdFor(args.surveyId, recipe.id);
    const branch = args.study ? await deps.studyBranch(args.study.slug) : null;
    const audience = surveyAudience(args.study, branch);
    if (audience === "none") {
      deps.info(`Heartbeat ${messageId} is for study ${args.study!.slug}, which this client is not in`);
      return;
    }
    if (audience === "reach") {
      await deps.surveys.reach(messageId, { experiment: args.study!.slug, branch: args.study!.branch! });
      return;
    }
    const own = await deps.store.get(recipe.id);
    const times = { lastShown: own?.lastShown ?? null, lastInteraction: own?.lastInteraction ?? null };
    const decision = shouldShowSurvey(args, times, await deps.store.lastShownOfAny(), deps.now());
    if (!decision.show) {
      deps.info(`Heartbeat ${messageId} not shown: ${decision.reason}`);
      return;
    }
    await deps.surveys.show(await surveyToShow(recipe, args, branch, deps));
  }
}

/**
 * QA's "Show now": shows a verified `show-heartbeat` recipe at once, whatever its filter, the daily throttle
 * and its repeatOption say. It is a real showing (stored, with its events), on a QA client.
 */
export async function showSurveyNow(recipe: Recipe, deps: ShowHeartbeatActionDeps): Promise<void> {
  if (recipe.action !== "show-heartbeat")
    throw new Error(`recipe ${recipe.id} is a ${recipe.action} recipe, not a survey`);
  const result = validateJson(recipe.arguments, ACTION_SCHEMAS["show-heartbeat"]);
  if (!result.valid) throw new Error(`invalid arguments: ${result.path || "arguments"}: ${result.message}`);
  const args = result.value as HeartbeatArguments;
  const bindingProblem = studyBindingProblem(args.study);
  if (bindingProblem !== null) throw new Error(bindingProblem);
  const branch = args.study ? await deps.studyBranch(args.study.slug) : null;
  await deps.surveys.show(await surveyToShow(recipe, args, branch, deps));
}

/** What the survey bar shows and its telemetry carries, from the recipe and the client. */
async function surveyToShow(
  recipe: Recipe,
  args: HeartbeatArguments,
  branch: string | null,
  deps: ShowHeartbeatActionDeps,
): Promise<SurveyToShow> {
  // Heartbeat.sys.mjs refuses an empty message.
  if (!args.message) throw new Error("message must not be an empty string");
  const userId = await deps.userId();
  return {
    recipeId: recipe.id,
    surveyId: args.surveyId,
    pingSurveyId: surveyIdFor(args, userId),
    messageId: messageIdFor(args.surveyId, recipe.id),
    message: args.message,
    thanksMessage: args.thanksMessage,
    engagementButtonLabel: args.engagementButtonLabel || null,
    learnMore: learnMoreLink(args),
    postAnswerUrl: postAnswerUrlFor(args, recipe.action, { ...(await deps.postAnswerFacts()), userId }),
    study: args.study && branch !== null ? { experiment: args.study.slug, branch } : null,
  };
}
