import type { ClientPingType } from "../src/core/index.js";
import { dataTable } from "./dataTable.js";
import { html, type SafeHtml } from "./html.js";
import type { ReceivedEvent } from "./intakeStore.js";

/**
 * The client's own pings by type, each list newest first. The add-on logs them as `[ts,
 * "recipe_client.<type>", <type>, <event>, <value>, <fields>]` (`src/telemetry/ClientPingRecorder.ts`), so
 * the events of one type are those whose method is the type.
 */
export type ClientHealthEvents = Record<ClientPingType, ReceivedEvent[]>;

/** How many health pings and undesired events the page lists. */
const MAX_ROWS = 20;

/**
 * The client's health: its status at each start, how long each stage of its latest run took, and its
 * undesired events (start-up failures, filters that could not be evaluated).
 */
export function renderClientHealthSection({ health, performance, undesired }: ClientHealthEvents): SafeHtml {
  const latestRun = latestRunOf(performance);
  return html`
      <section aria-labelledby="health-heading">
        <h2 id="health-heading">Health</h2>
        ${dataTable({
          id: "health-starts",
          caption: "The client's status at each start, most recent first",
          columns: ["Received", "Session", "Status", "Locale", "Add-on version", "Channel"],
          rows: health
            .slice(0, MAX_ROWS)
            .map(
              (event) =>
                html`<tr><td>${received(event)}</td><td><code>${event.sessionId}</code></td><td>${event.value ?? ""}</td><td>${field(event, "locale")}</td><td>${field(event, "version")}</td><td>${field(event, "release_channel")}</td></tr>`,
            ),
          empty: "No health ping received yet.",
        })}
        ${dataTable({
          id: "health-latest-run",
          caption: html`How long the latest run took, per stage${latestRun[0] ? html` (${field(latestRun[0], "recipe_count")} recipes)` : ""}`,
          columns: ["Stage", "ms"],
          rows: latestRun.map((event) => html`<tr><td>${event.object}</td><td>${event.value ?? ""}</td></tr>`),
          empty: "No run reported yet.",
        })}
        ${dataTable({
          id: "health-undesired",
          caption: "Undesired events, most recent first",
          columns: ["Received", "Session", "Event", "Value", "Recipe"],
          rows: undesired
            .slice(0, MAX_ROWS)
            .map(
              (event) =>
                html`<tr><td>${received(event)}</td><td><code>${event.sessionId}</code></td><td>${event.object}</td><td>${event.value ?? ""}</td><td>${field(event, "recipe_id")}</td></tr>`,
            ),
          empty: "None.",
        })}
      </section>`;
}

/** The pings of the newest run, in the order they were sent: one recording gives them one session and timestamp. */
function latestRunOf(performance: ReceivedEvent[]): ReceivedEvent[] {
  const newest = performance[0];
  if (!newest) return [];
  return performance
    .filter((event) => event.sessionId === newest.sessionId && event.timestamp === newest.timestamp)
    .reverse();
}

function field(event: ReceivedEvent, name: string): string {
  return event.extra?.[name] ?? "";
}

function received(event: ReceivedEvent): string {
  return new Date(event.receivedAt).toISOString();
}
