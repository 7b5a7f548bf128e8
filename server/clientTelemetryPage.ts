import { renderClientActivitySection, type ClientActivity } from "./clientActivitySection.js";
import { renderClientHealthSection, type ClientHealthEvents } from "./clientHealthSection.js";
import { dataTable } from "./dataTable.js";
import { html, type SafeHtml } from "./html.js";
import type { EventFilter, IntakeClient, ReceivedEvent } from "./intakeStore.js";
import { renderPage } from "./pageLayout.js";

export interface ClientTelemetryPageData {
  client: IntakeClient;
  /** The events `filter` selects, newest first. */
  events: ReceivedEvent[];
  filter: EventFilter;
  /** Every uptake event of the client, newest first (the uptake table ignores the filter). */
  uptake: ReceivedEvent[];
  /** The methods and objects the client's events have, offered as filters. */
  kinds: { methods: string[]; objects: string[] };
  /** The client's health, performance and undesired-event pings (the health section ignores the filter). */
  health: ClientHealthEvents;
  /** Its enrollments and latest runs (the sections ignore the filter). */
  activity: ClientActivity;
}

/**
 * One client's telemetry: its enrollments and latest runs, its health (status at each start, the latest run's timings, undesired events), the
 * latest uptake status per source (runner, each recipe, each action), then every event newest first,
 * filterable by method and object. Everything shown is escaped.
 */
export function renderClientTelemetryPage({
  client,
  events,
  filter,
  uptake,
  kinds,
  health,
  activity,
}: ClientTelemetryPageData): string {
  const main = html`
      <p><a href="/">Back to the recipes</a></p>
      <h1>Telemetry of client <code>${client.clientId}</code></h1>
      <p>Add-on ${client.addonVersion}, locale ${client.locale}, ${client.eventCount} events in all, the last received ${new Date(client.lastReceivedAt).toISOString()}. Reload the page to see newer ones.</p>
      ${renderClientActivitySection(activity)}
      ${renderClientHealthSection(health)}
      <section aria-labelledby="uptake-heading">
        <h2 id="uptake-heading">Uptake</h2>
        ${dataTable({
          caption: "The latest uptake status of each source, most recent first",
          columns: ["Source", "Status", "Received"],
          rows: latestPerSource(uptake).map(uptakeRow),
          empty: "No uptake reported yet.",
        })}
      </section>
      <section aria-labelledby="events-heading">
        <h2 id="events-heading">Events</h2>
        <form method="get" class="toolbar" aria-label="Filter the events">
          ${choice("method", "Method", kinds.methods, filter.method)}
          ${choice("object", "Object", kinds.objects, filter.object)}
          <button type="submit">Filter</button>
          <a href="?">Show all</a>
        </form>
        ${dataTable({
          caption: `Events${filter.method || filter.object ? " matching the filter" : ""}, newest first (timestamps are ms since the client's Firefox started, per session)`,
          columns: ["Received", "Session", "Timestamp", "Category", "Method", "Object", "Value", "Extra"],
          rows: events.map(eventRow),
          empty: "No events match.",
        })}
      </section>`;
  return renderPage({ title: `Telemetry of client ${client.clientId}`, main });
}

/** A select of the values seen (plus the current one, should it be new), with "any" first. */
function choice(name: string, label: string, values: string[], selected: string | undefined): SafeHtml {
  const options = selected && !values.includes(selected) ? [selected, ...values] : values;
  return html`<label for="filter-${name}">${label}</label>
          <select id="filter-${name}" name="${name}">
            <option value="">any</option>
            ${options.map((value) => html`<option value="${value}"${value === selected ? html` selected` : ""}>${value}</option>`)}
          </select>`;
}

/** The first (newest) uptake event of each source; the source is the event's `extra.source`. */
function latestPerSource(uptake: ReceivedEvent[]): ReceivedEvent[] {
  const seen = new Set<string>();
  return uptake.filter((event) => {
    const source = event.extra?.["source"] ?? event.object;
    if (seen.has(source)) return false;
    seen.add(source);
    return true;
  });
}

function uptakeRow(event: ReceivedEvent): SafeHtml {
  return html`<tr>
              <td><code>${event.extra?.["source"] ?? event.object}</code></td>
              <td>${event.value ?? ""}</td>
              <td>${new Date(event.receivedAt).toISOString()}</td>
            </tr>`;
}

function eventRow(event: ReceivedEvent): SafeHtml {
  return html`<tr>
              <td>${new Date(event.receivedAt).toISOString()}</td>
              <td><code>${event.sessionId}</code></td>
              <td>${event.timestamp}</td>
              <td>${event.category}</td>
              <td>${event.method}</td>
              <td>${event.object}</td>
              <td>${event.value ?? ""}</td>
              <td><code>${event.extra ? JSON.stringify(event.extra) : ""}</code></td>
            </tr>`;
}
