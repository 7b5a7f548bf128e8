import type { NotificationBarApi, SurveyBarEvent } from "../../experiment-apis/notificationBar/interface.js";
import type { HeartbeatPing } from "../core/index.js";
import { answeredUrl, THANKS_DISPLAY_MS, type SurveyAnswer } from "../core/index.js";
import type { HeartbeatStore, SurveyOutcome } from "../stores/HeartbeatStore.js";
import type { MessageTelemetryRef, MessagingTelemetry } from "../telemetry/MessagingTelemetry.js";

/** One survey to show, its arguments already checked and completed by the action. */
export interface SurveyToShow {
  recipeId: number;
  /** The recipe's `surveyId`, as the survey's state is shown to QA. */
  surveyId: string;
  /** The survey id Firefox's heartbeat ping carries (with `::<userId>` under `includeTelemetryUUID`). */
  pingSurveyId: string;
  /** The id its messaging events carry. */
  messageId: string;
  message: string;
  thanksMessage: string;
  engagementButtonLabel: string | null;
  learnMore: { message: string; url: string } | null;
  /** With Normandy's query parameters already added; the answer is appended when the user answers. */
  postAnswerUrl: string | null;
  /** The study branch the survey belongs to, which this client is enrolled in; null for none. */
  study: { experiment: string; branch: string } | null;
}

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface HeartbeatSurveysDeps {
  bar: NotificationBarApi;
  store: HeartbeatStore;
  telemetry: MessagingTelemetry;
  /** Firefox's own heartbeat ping (the telemetry API's `submitHeartbeatPing`). */
  submitHeartbeatPing(ping: HeartbeatPing): Promise<void>;
  /** How long an unanswered survey stays up (`browser.uitour.surveyDuration`). */
  surveyDurationMs(): Promise<number>;
  now(): number;
  newFlowId(): string;
  timers: Timers;
  warn(message: string): void;
}

/** One survey being shown: what Normandy's Heartbeat object tracks. */
interface Flow {
  readonly survey: SurveyToShow;
  readonly ref: MessageTelemetryRef;
  readonly ping: HeartbeatPing;
  answered: boolean;
  expired: boolean;
  timer: unknown;
  /** The flow's events are handled one after the other, in the order they came. */
  handling: Promise<void>;
}

/**
 * The surveys shown in this browsing session (one per background page), as Normandy's Heartbeat runs them:
 * shown in the top window; after an answer the thanks message, the post-answer page in a new tab and the bar
 * closing 3 s later; closed unanswered after the survey duration; Firefox's heartbeat ping when it ends.
 * Every step is a messaging event, and a survey bound to a study sends its exposure, and the other branches'
 * surveys their reach, once per message in the session. State that must outlive the session goes to the store.
 */
export class HeartbeatSurveys {
  private readonly flows = new Map<string, Flow>();
  private readonly exposed = new Set<string>();
  private readonly reached = new Set<string>();

  constructor(private readonly deps: HeartbeatSurveysDeps) {
    deps.bar.onBarEvent.addListener((id, event) => this.onBarEvent(id, event));
  }

  /** Shows the survey; rejects, storing and recording nothing, when the bar cannot be shown. */
  async show(survey: SurveyToShow): Promise<void> {
    const { bar, store, telemetry, now, newFlowId, timers } = this.deps;
    const flowId = newFlowId();
    const ref: MessageTelemetryRef = { messageId: survey.messageId, impressionId: flowId, study: survey.study };
    const durationMs = await this.deps.surveyDurationMs();
    const flow: Flow = {
      survey,
      ref,
      ping: emptyPing(flowId, survey.pingSurveyId, now()),
      answered: false,
      expired: false,
      timer: null,
      handling: Promise.resolve(),
    };
    // Registered first: the user may click before `show` has answered.
    this.flows.set(flowId, flow);
    try {
      await bar.show({
        id: flowId,
        message: survey.message,
        ...(survey.engagementButtonLabel ? { engagementButtonLabel: survey.engagementButtonLabel } : {}),
        ...(survey.learnMore ? { learnMoreMessage: survey.learnMore.message, learnMoreUrl: survey.learnMore.url } : {}),
      });
    } catch (error) {
      this.flows.delete(flowId);
      throw error;
    }
    flow.ping.offered = now();
    flow.timer = timers.set(() => this.enqueue(flow, () => this.expire(flow)), durationMs);
    await store.markShown(survey.recipeId, survey.surveyId, flow.ping.offered);
    // Exposure just before the impression, and once per message in a session (messaging telemetry).
    if (survey.study && !this.exposed.has(survey.messageId)) {
      this.exposed.add(survey.messageId);
      await telemetry.record("EXPOSURE", ref);
    }
    await telemetry.record("IMPRESSION", ref);
  }

  /**
   * A survey of another branch of a study this client is in, whose filter matched: the client would have
   * seen it in that branch. One reach event per message in a session.
   */
  async reach(messageId: string, study: { experiment: string; branch: string }): Promise<void> {
    if (this.reached.has(messageId)) return;
    this.reached.add(messageId);
    await this.deps.telemetry.record("REACH", { messageId, impressionId: null, study });
  }

  /** Resolves once every event received so far has been handled. */
  async settled(): Promise<void> {
    await Promise.all([...this.flows.values()].map((flow) => flow.handling));
  }

  private onBarEvent(id: string, event: SurveyBarEvent): void {
    const flow = this.flows.get(id);
    if (flow) this.enqueue(flow, () => this.handle(flow, event));
  }

  private enqueue(flow: Flow, step: () => Promise<void>): void {
    flow.handling = flow.handling.then(step).catch((error: unknown) => {
      this.deps.warn(
        `Heartbeat survey ${flow.survey.messageId}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  private async handle(flow: Flow, event: SurveyBarEvent): Promise<void> {
    const { telemetry, now } = this.deps;
    switch (event.type) {
      case "learn-more":
        flow.ping.learnMore ??= now();
        return telemetry.record("LEARN_MORE", flow.ref);
      case "voted":
        return this.answer(flow, { type: "stars", score: event.score ?? 0 });
      case "engaged":
        return this.answer(flow, { type: "button" });
      case "dismissed":
        flow.ping.closed = now();
        await telemetry.record("DISMISS", flow.ref);
        return this.end(flow, "dismissed");
      case "closed":
        flow.ping.closed = now();
        return this.end(flow, flow.expired ? "expired" : "closed");
      case "window-closed":
        flow.ping.windowClosed = now();
        await telemetry.record("WINDOW_CLOSED", flow.ref);
        return this.end(flow, "window-closed");
    }
  }

  /** The first answer counts (the stars and the button are gone after it, as in Normandy). */
  private async answer(flow: Flow, answer: SurveyAnswer): Promise<void> {
    if (flow.answered || !this.flows.has(flow.ping.flowId)) return;
    flow.answered = true;
    const { bar, store, telemetry, now, timers } = this.deps;
    const at = now();
    if (answer.type === "stars") {
      flow.ping.voted = at;
      flow.ping.score = answer.score;
    } else {
      flow.ping.engaged = at;
    }
    timers.clear(flow.timer);
    const id = flow.ping.flowId;
    await telemetry.record("CLICK_BUTTON", flow.ref, answer.type === "stars" ? String(answer.score) : "ENGAGED");
    await store.markAnswered(flow.survey.recipeId, answer, at);
    await bar.thank(id, flow.survey.thanksMessage);
    if (flow.survey.postAnswerUrl) await bar.openTab(id, answeredUrl(flow.survey.postAnswerUrl, answer, id));
    flow.timer = timers.set(() => void bar.close(id), THANKS_DISPLAY_MS);
  }

  /** Ignored for five minutes (the survey duration): Normandy's SurveyExpired, then the bar closes. */
  private async expire(flow: Flow): Promise<void> {
    if (flow.answered || !this.flows.has(flow.ping.flowId)) return;
    flow.expired = true;
    flow.ping.expired = this.deps.now();
    await this.deps.telemetry.record("EXPIRED", flow.ref);
    await this.deps.bar.close(flow.ping.flowId);
  }

  private async end(flow: Flow, outcome: Exclude<SurveyOutcome, "open" | "answered">): Promise<void> {
    this.flows.delete(flow.ping.flowId);
    this.deps.timers.clear(flow.timer);
    await this.deps.store.markEnded(flow.survey.recipeId, outcome);
    await this.deps.submitHeartbeatPing(flow.ping);
  }
}

function emptyPing(flowId: string, surveyId: string, offered: number): HeartbeatPing {
  return { flowId, surveyId, offered };
}
