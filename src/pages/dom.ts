import type { PrefValue } from "../../experiment-apis/prefs/interface.js";

/** Small DOM helpers for the extension pages. Text always goes in as textContent, never as HTML. */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = "",
  text = "",
): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  if (className) created.className = className;
  if (text) created.textContent = text;
  return created;
}

export function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

/** Sets a status line's text and its look ("ok", "error" or plain). */
export function say(target: HTMLElement, text: string, kind: "ok" | "error" | "" = ""): void {
  target.textContent = text;
  target.classList.toggle("ok", kind === "ok");
  target.classList.toggle("error", kind === "error");
}

/** `text` with a caret under `position` on the next line, so the place of a syntax error is visible. */
export function caretExcerpt(text: string, position: number): HTMLElement {
  const excerpt = element("pre", "excerpt", `${text.replace(/[\t\n\r]/g, " ")}\n${" ".repeat(position)}^`);
  excerpt.setAttribute("aria-hidden", "true"); // the message says the position in words
  return excerpt;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The one way the pages show a moment: medium date and short time, in the browser's locale; with `seconds` where
 * several moments a minute apart must be told apart (the event log).
 */
export function formatTime(time: number | string, { seconds = false } = {}): string {
  return (seconds ? WITH_SECONDS : WITHOUT_SECONDS).format(new Date(time));
}

// Made once: the event log formats thousands of times per render, and making a format costs more than using it.
const WITHOUT_SECONDS = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const WITH_SECONDS = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/** How the pages show a pref's value: JSON, or "(no value)" when the pref has none. */
export function prefValueText(value: PrefValue | null): string {
  return value === null ? "(no value)" : JSON.stringify(value);
}
