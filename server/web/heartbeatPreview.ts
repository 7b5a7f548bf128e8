/**
 * The recipe editor's preview of a `show-heartbeat` survey: the notification bar as Firefox will show it
 * (message, learn-more link, five stars or the engagement button, close button), then what follows an answer
 * (the thanks message and the page opened). It uses the client's own rules (`src/core/heartbeat.ts`): a link
 * that is not http(s) is not shown, an empty button label means stars.
 */
import { learnMoreLink, type HeartbeatArguments } from "../../src/core/index.js";

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text = "",
  style: Partial<CSSStyleDeclaration> = {},
): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  if (text) created.textContent = text;
  Object.assign(created.style, style);
  return created;
}

const BAR_STYLE: Partial<CSSStyleDeclaration> = {
  display: "flex",
  alignItems: "center",
  gap: "0.75rem",
  padding: "0.5rem 0.75rem",
  background: "#fff",
  border: "1px solid #cfcfd8",
  borderLeft: "4px solid #9059ff",
  borderRadius: "4px",
  fontFamily: "system-ui, sans-serif",
};

/** The bar with `message` and what sits after it; the close button at the end. */
function bar(message: string, ...after: HTMLElement[]): HTMLElement {
  const element = el("div", "", BAR_STYLE);
  element.setAttribute("role", "img");
  element.append(el("span", message), ...after, el("span", "✕", { marginLeft: "auto", color: "#5b5b66" }));
  return element;
}

/** Replaces the contents of `slot` with the preview of `args`, or hides it when they are not a survey's. */
export function renderHeartbeatPreview(slot: HTMLElement, args: unknown): void {
  const survey = (typeof args === "object" && args !== null ? args : {}) as Partial<HeartbeatArguments>;
  slot.hidden = false;
  const message = survey.message || "(no message: the client refuses an empty one)";
  const after: HTMLElement[] = [];
  const link = learnMoreLink({
    learnMoreMessage: survey.learnMoreMessage ?? null,
    learnMoreUrl: survey.learnMoreUrl ?? null,
  });
  if (link) after.push(el("a", link.message, { color: "#0060df", textDecoration: "underline" }));
  if (survey.engagementButtonLabel)
    after.push(
      el("span", survey.engagementButtonLabel, {
        padding: "0.2rem 0.7rem",
        background: "#e0e0e6",
        borderRadius: "4px",
        fontWeight: "600",
      }),
    );
  else after.push(el("span", "☆☆☆☆☆", { letterSpacing: "0.15em", color: "#5b5b66" }));
  const afterAnswer = el("p", "", { margin: "0.5rem 0 0" });
  afterAnswer.append(
    "After an answer: the bar says the thanks message for 3 seconds",
    survey.postAnswerUrl
      ? `, and ${survey.postAnswerUrl} opens in a new tab (with Normandy's query parameters and the answer).`
      : ".",
  );
  slot.replaceChildren(
    el("h3", "Preview of the bar", { fontSize: "1rem", margin: "0 0 0.5rem" }),
    bar(message, ...after),
    afterAnswer,
    bar(survey.thanksMessage || "(no thanks message)"),
  );
}
