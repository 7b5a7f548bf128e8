/**
 * Reading the console API storage (`console.log` and friends) of every Firefox process.
 *
 * Each process keeps its own `@mozilla.org/consoleAPI-storage;1`: experiment parent scripts log into the
 * parent's, background and extension pages into the extension process's. So the chrome-context script
 * below loads a one-shot process script into every process and gathers what each one sends back.
 * Storage drops a page's messages once that page is unloaded.
 */

export interface ConsoleMessage {
  /** "log", "warn", "error", "info", "debug", … */
  level: string;
  /** Arguments as text: strings verbatim, other values as JSON where possible. */
  args: string[];
  /** Set for messages from an add-on's own pages (background, extension tabs). */
  addonId?: string;
  /** Firefox's remote type of the process ("extension", "web", …), or "parent". */
  process: string;
  /** Milliseconds since the epoch. */
  timeStamp: number;
}

/**
 * Process-script source (plain JS: it runs in every process with `Cc`, `Ci`, `Services` and
 * `sendAsyncMessage` in scope). `TOPIC` is replaced by the reply message name.
 */
const REPORT_CONSOLE_STORAGE = `
(() => {
  const describe = (value) => {
    if (typeof value === "string") return value;
    try {
      const json = JSON.stringify(value);
      if (json !== undefined && json !== "{}") return json;
    } catch {}
    return String(value);
  };
  const storage = Cc["@mozilla.org/consoleAPI-storage;1"].getService(Ci.nsIConsoleAPIStorage);
  const process = Services.appinfo.remoteType ?? "parent";
  sendAsyncMessage(TOPIC, {
    messages: storage.getEvents().map((event) => ({
      level: event.level,
      args: (event.arguments ?? []).map(describe),
      ...(event.addonId ? { addonId: event.addonId } : {}),
      process,
      timeStamp: event.timeStamp,
    })),
  });
})();`;

/** Chrome-context body (see `script.ts`) resolving to every process's messages, oldest first. */
export const COLLECT_CONSOLE_MESSAGES = `
const topic = "e2e-harness:console-messages:" + Services.uuid.generateUUID();
const source = ${JSON.stringify(REPORT_CONSOLE_STORAGE)}.replace("TOPIC", JSON.stringify(topic));
const expected = Services.ppmm.childCount;
const replies = [];
let listener;
await new Promise((resolve) => {
  // A process that is starting or dying may never answer; do not wait for it forever.
  const timer = setTimeout(resolve, 2000);
  listener = {
    receiveMessage(message) {
      replies.push(message.data);
      if (replies.length >= expected) { clearTimeout(timer); resolve(); }
    },
  };
  Services.ppmm.addMessageListener(topic, listener);
  Services.ppmm.loadProcessScript("data:text/javascript," + encodeURIComponent(source), false);
});
Services.ppmm.removeMessageListener(topic, listener);
return replies.flatMap((reply) => reply.messages).sort((a, b) => a.timeStamp - b.timeStamp);
`;
