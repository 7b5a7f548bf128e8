/**
 * The `browser.experiments.notificationBar` namespace: a survey bar (Normandy's Heartbeat) in the
 * notification box of the top browser window. Thin: it shows the bar with five stars or one engagement
 * button and an optional learn-more link, reports what happens to it, and changes it when told to. Every
 * rule (when to show, thanks, post-answer tab, expiry, telemetry) lives in `src/heartbeat/`. Declared once
 * here; implemented by the parent script (`api.ts`) and by the in-memory fake in `test/fakes/`.
 * `schema.json` must agree (checked by `test/unit/schemas.test.ts`).
 */
import type { EventParameterNames, ExperimentEvent, ParameterNames } from "../schemaContract.js";

export interface SurveyBar {
  /** The bar's id (the survey's flow id); the notification's value is `heartbeat-<id>`. */
  id: string;
  message: string;
  /** A button with this label instead of the five stars; absent (null once through the schema) for stars. */
  engagementButtonLabel?: string;
  /** A link after the message, opened by Firefox in a new tab; both absent for none. */
  learnMoreMessage?: string;
  /** http or https only. */
  learnMoreUrl?: string;
}

/**
 * What happened to a bar. `voted` (a star, `score` 1–5), `engaged` (the button) and `learn-more` leave it
 * open; the others end it, and nothing follows them: `dismissed` (the user closed it), `closed` (`close()`
 * removed it), `window-closed` (its window closed: an outcome of its own, not a dismissal).
 */
export type SurveyBarEventType = "learn-more" | "voted" | "engaged" | "dismissed" | "closed" | "window-closed";
export interface SurveyBarEvent {
  type: SurveyBarEventType;
  /** The star rating for `voted`, absent otherwise. */
  score?: number;
}

export interface NotificationBarApi {
  /** Shows the bar in the top browser window; rejects when there is none or the id is in use. */
  show(bar: SurveyBar): Promise<void>;
  /** Replaces the message with `message` and removes the stars and the button (the link stays, as in Normandy). */
  thank(id: string, message: string): Promise<void>;
  /**
   * Opens `url` (http or https only) in a new selected tab of the bar's window, with no principal of the
   * add-on's (Normandy opens the post-answer page the same way).
   */
  openTab(id: string, url: string): Promise<void>;
  /** Removes the bar; its last event is then `closed`. Does nothing for a bar that has ended. */
  close(id: string): Promise<void>;
  /** Fires with the bar's id and what happened to it. */
  onBarEvent: ExperimentEvent<[id: string, event: SurveyBarEvent]>;
}

/** Parameter names of each function, in schema order (see `../schemaContract.ts`). */
export const NOTIFICATION_BAR_API_PARAMETERS = {
  show: ["bar"],
  thank: ["id", "message"],
  openTab: ["id", "url"],
  close: ["id"],
} as const satisfies ParameterNames<NotificationBarApi>;

/** Listener and extra parameter names of each event, in schema order. */
export const NOTIFICATION_BAR_API_EVENTS = {
  onBarEvent: { parameters: ["id", "event"], extraParameters: [] },
} as const satisfies EventParameterNames<NotificationBarApi>;

/**
 * Whether `url` may be opened by the bar: http or https (a scheme check only; the add-on builds the URLs with
 * `URL`, which the parent scripts' sandbox may lack). Shared by the parent script and the fake.
 */
export function isWebUrl(url: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(url);
}
