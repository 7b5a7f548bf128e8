/**
 * Parent script of `browser.experiments.notificationBar`: the survey bar in the top browser window's
 * notification box, built the way Firefox's own Heartbeat.sys.mjs builds it (a `moz-five-star` or one
 * button, a learn-more link, the heartbeat icon), reporting clicks, closing and the window closing as
 * events. No timers, no telemetry, no rules: those are the add-on's (`src/heartbeat/`). Bundled as an IIFE;
 * the manifest key is "notificationBarExperiment" (telemetry/api.ts says why keys are not bare namespaces).
 */
import { isWebUrl, type NotificationBarApi, type SurveyBar, type SurveyBarEvent } from "./interface.js";

declare global {
  var notificationBarExperiment: typeof ExtensionAPI;
}

/** The few DOM members used here (the parent scripts are type-checked without the DOM library). */
interface ChromeElement {
  readonly classList: { add(name: string): void };
  append(child: ChromeElement): void;
  remove(): void;
  querySelectorAll(selector: string): Iterable<ChromeElement>;
  addEventListener(type: string, listener: (event: { detail?: { rating?: number } }) => void): void;
}

interface NotificationButton {
  label: string;
  link?: string;
  /** Returning true keeps the bar open. */
  callback: () => boolean;
}

interface NotificationElement extends ChromeElement {
  label: string;
  readonly buttonContainer: ChromeElement;
}

interface NotificationBox {
  readonly PRIORITY_SYSTEM: number;
  appendNotification(
    value: string,
    options: { label: string; image: string; priority: number; eventCallback: (eventType: string) => void },
    buttons: NotificationButton[],
  ): Promise<NotificationElement>;
  removeNotification(notification: NotificationElement): void;
}

interface BrowserWindow {
  readonly closed: boolean;
  readonly document: { createElement(tag: string): ChromeElement & { selectable?: boolean } };
  readonly gNotificationBox: NotificationBox;
  readonly gBrowser: {
    selectedTab: unknown;
    addWebTab(url: string, options: { triggeringPrincipal: unknown }): unknown;
  };
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

const HEARTBEAT_ICON = "resource://normandy/skin/shared/heartbeat-icon.svg";

/** One bar being shown. */
interface OpenBar {
  readonly window: BrowserWindow;
  readonly notice: Promise<NotificationElement>;
  readonly stars: ChromeElement | null;
  /** Set by `close()`, so the removal it causes is reported as `closed`, not `dismissed`. */
  closing: boolean;
  readonly onWindowClosing: () => void;
}

type Listener = (id: string, event: SurveyBarEvent) => void;

function topWindow(): BrowserWindow | null {
  const { BrowserWindowTracker } = ChromeUtils.importESModule<{
    BrowserWindowTracker: { getTopWindow(): BrowserWindow | null };
  }>("resource:///modules/BrowserWindowTracker.sys.mjs");
  return BrowserWindowTracker.getTopWindow();
}

function nullPrincipal(): unknown {
  const services = Services as unknown as {
    scriptSecurityManager: { createNullPrincipal(attributes: object): unknown };
  };
  return services.scriptSecurityManager.createNullPrincipal({});
}

class SurveyBars {
  private readonly bars = new Map<string, OpenBar>();
  private readonly listeners = new Set<Listener>();

  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  show(bar: SurveyBar): void {
    if (this.bars.has(bar.id)) throw new ExtensionUtils.ExtensionError(`A bar ${bar.id} is already shown`);
    const window = topWindow();
    if (!window) throw new ExtensionUtils.ExtensionError("There is no browser window to show the bar in");
    const buttons: NotificationButton[] = [];
    if (bar.learnMoreMessage && bar.learnMoreUrl) {
      if (!isWebUrl(bar.learnMoreUrl))
        throw new ExtensionUtils.ExtensionError("learnMoreUrl must be an http or https URL");
      buttons.push({
        label: bar.learnMoreMessage,
        link: bar.learnMoreUrl,
        callback: () => this.report(bar.id, "learn-more"),
      });
    }
    let stars: ChromeElement | null = null;
    if (bar.engagementButtonLabel) {
      buttons.push({ label: bar.engagementButtonLabel, callback: () => this.report(bar.id, "engaged") });
    } else {
      stars = window.document.createElement("span");
      const fiveStars = window.document.createElement("moz-five-star");
      fiveStars.selectable = true;
      fiveStars.addEventListener("select", (event) => {
        this.report(bar.id, "voted", event.detail?.rating);
      });
      stars.append(fiveStars);
    }
    const onWindowClosing = () => this.end(bar.id, "window-closed");
    const notice = window.gNotificationBox.appendNotification(
      `heartbeat-${bar.id}`,
      {
        label: bar.message,
        image: HEARTBEAT_ICON,
        priority: window.gNotificationBox.PRIORITY_SYSTEM,
        eventCallback: (eventType) => {
          if (eventType === "removed") this.end(bar.id, this.bars.get(bar.id)?.closing ? "closed" : "dismissed");
        },
      },
      buttons,
    );
    const open: OpenBar = { window, notice, stars, closing: false, onWindowClosing };
    this.bars.set(bar.id, open);
    window.addEventListener("SSWindowClosing", onWindowClosing);
    void notice.then((element) => {
      element.classList.add("heartbeat");
      if (stars) element.buttonContainer.append(stars);
    });
  }

  async thank(id: string, message: string): Promise<void> {
    const bar = this.bar(id);
    const element = await bar.notice;
    element.label = message;
    for (const button of element.buttonContainer.querySelectorAll("button")) button.remove();
    bar.stars?.remove();
  }

  openTab(id: string, url: string): void {
    if (!isWebUrl(url)) throw new ExtensionUtils.ExtensionError("Only http and https URLs open from the bar");
    const { gBrowser } = this.bar(id).window;
    gBrowser.selectedTab = gBrowser.addWebTab(url, { triggeringPrincipal: nullPrincipal() });
  }

  async close(id: string): Promise<void> {
    const bar = this.bars.get(id);
    if (!bar) return;
    bar.closing = true;
    bar.window.gNotificationBox.removeNotification(await bar.notice);
  }

  /** Removes every bar without reporting it: the add-on is going away. */
  closeAll(): void {
    const bars = [...this.bars.values()];
    this.listeners.clear();
    for (const bar of bars) {
      bar.closing = true;
      void bar.notice.then((element) => bar.window.gNotificationBox.removeNotification(element));
    }
  }

  /** Reports an event that leaves the bar open; true keeps Firefox from closing the bar on a button click. */
  private report(id: string, type: SurveyBarEvent["type"], score?: number): boolean {
    if (this.bars.has(id)) this.emit(id, score === undefined ? { type } : { type, score });
    return true;
  }

  /** Reports the bar's last event, once: after its window closed, the bar's removal is not news. */
  private end(id: string, type: SurveyBarEvent["type"]): void {
    const bar = this.bars.get(id);
    if (!bar) return;
    this.bars.delete(id);
    bar.window.removeEventListener("SSWindowClosing", bar.onWindowClosing);
    this.emit(id, { type });
  }

  private emit(id: string, event: SurveyBarEvent): void {
    for (const listener of this.listeners) listener(id, event);
  }

  private bar(id: string): OpenBar {
    const bar = this.bars.get(id);
    if (!bar) throw new ExtensionUtils.ExtensionError(`There is no bar ${id}`);
    return bar;
  }
}

globalThis.notificationBarExperiment = class NotificationBarExperimentApi extends ExtensionAPI {
  private readonly bars = new SurveyBars();

  override onShutdown(): void {
    this.bars.closeAll();
  }

  getAPI(context: GeckoExtensionContext) {
    const { bars } = this;
    const notificationBar: NotificationBarApi = {
      show: async (bar) => bars.show(bar),
      thank: (id, message) => bars.thank(id, message),
      openTab: async (id, url) => bars.openTab(id, url),
      close: (id) => bars.close(id),
      onBarEvent: new ExtensionCommon.EventManager({
        context,
        name: "experiments.notificationBar.onBarEvent",
        register: (fire) => bars.listen((id, event) => fire.async(id, event)),
      }).api() as NotificationBarApi["onBarEvent"],
    };
    return { experiments: { notificationBar } };
  }
};
