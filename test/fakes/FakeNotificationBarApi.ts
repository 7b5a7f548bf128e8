import {
  isWebUrl,
  type NotificationBarApi,
  type SurveyBar,
  type SurveyBarEvent,
  type SurveyBarEventType,
} from "../../experiment-apis/notificationBar/interface.js";

type Listener = (id: string, event: SurveyBarEvent) => void;

/** A bar as the user would see it. */
export interface FakeBar extends SurveyBar {
  /** What the bar says now (the thanks message once thanked). */
  text: string;
  /** Whether the stars or the button are still there. */
  answerable: boolean;
}

/**
 * The top browser window's notification box, in memory, with the parent script's contract: `show` refuses
 * without a window or with an id in use; `thank` and `openTab` refuse an unknown bar; `openTab` only opens
 * http(s); a bar's end (`dismissed`, `closed`, `window-closed`) is reported once and nothing after it; the
 * learn-more link is there only with both its message and URL. The user's side is played with `vote`,
 * `engage`, `clickLearnMore`, `dismiss` and `closeWindow`.
 */
export class FakeNotificationBarApi implements NotificationBarApi {
  /** Whether there is a browser window to show a bar in. */
  windowOpen = true;
  readonly bars = new Map<string, FakeBar>();
  /** Every bar ever shown, in order. */
  readonly shown: SurveyBar[] = [];
  /** Tabs opened from a bar, in order. */
  readonly openedTabs: string[] = [];
  private readonly listeners = new Set<Listener>();

  readonly onBarEvent = {
    addListener: (listener: Listener) => void this.listeners.add(listener),
    removeListener: (listener: Listener) => void this.listeners.delete(listener),
    hasListener: (listener: Listener) => this.listeners.has(listener),
  };

  async show(bar: SurveyBar): Promise<void> {
    if (!this.windowOpen) throw new Error("There is no browser window to show the bar in");
    if (this.bars.has(bar.id)) throw new Error(`A bar ${bar.id} is already shown`);
    if (bar.learnMoreMessage && bar.learnMoreUrl && !isWebUrl(bar.learnMoreUrl))
      throw new Error("learnMoreUrl must be an http or https URL");
    this.shown.push({ ...bar });
    this.bars.set(bar.id, { ...bar, text: bar.message, answerable: true });
  }

  async thank(id: string, message: string): Promise<void> {
    const bar = this.bar(id);
    bar.text = message;
    bar.answerable = false;
  }

  async openTab(id: string, url: string): Promise<void> {
    if (!isWebUrl(url)) throw new Error("Only http and https URLs open from the bar");
    this.bar(id);
    this.openedTabs.push(url);
  }

  async close(id: string): Promise<void> {
    if (this.bars.has(id)) this.end(id, "closed");
  }

  /** The one bar shown now; throws unless there is exactly one. */
  onlyBar(): FakeBar {
    const bars = [...this.bars.values()];
    if (bars.length !== 1) throw new Error(`${bars.length} bars are shown, not 1`);
    return bars[0]!;
  }

  vote(id: string, score: number): void {
    const bar = this.bar(id);
    if (bar.engagementButtonLabel || !bar.answerable) throw new Error(`bar ${id} shows no stars`);
    this.emit(id, { type: "voted", score });
  }

  engage(id: string): void {
    const bar = this.bar(id);
    if (!bar.engagementButtonLabel || !bar.answerable) throw new Error(`bar ${id} shows no engagement button`);
    this.emit(id, { type: "engaged" });
  }

  clickLearnMore(id: string): void {
    const bar = this.bar(id);
    if (!bar.learnMoreMessage || !bar.learnMoreUrl) throw new Error(`bar ${id} has no learn-more link`);
    this.openedTabs.push(bar.learnMoreUrl);
    this.emit(id, { type: "learn-more" });
  }

  dismiss(id: string): void {
    this.bar(id);
    this.end(id, "dismissed");
  }

  /** Closes the window, and with it every bar. */
  closeWindow(): void {
    for (const id of [...this.bars.keys()]) this.end(id, "window-closed");
    this.windowOpen = false;
  }

  private end(id: string, type: SurveyBarEventType): void {
    this.bars.delete(id);
    this.emit(id, { type });
  }

  private emit(id: string, event: SurveyBarEvent): void {
    for (const listener of this.listeners) listener(id, event);
  }

  private bar(id: string): FakeBar {
    const bar = this.bars.get(id);
    if (!bar) throw new Error(`There is no bar ${id}`);
    return bar;
  }
}
