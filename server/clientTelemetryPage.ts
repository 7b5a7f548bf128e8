import { html } from "./html.js";
import type { EventFilter, IntakeClient, ReceivedEvent } from "./intakeStore.js";

export interface ClientTelemetryPageData {
  client: IntakeClient;
  events: ReceivedEvent[];
  filter: EventFilter;
}

/** One client's telemetry, newest first, filterable by method and object. Everything shown is escaped. */
export function renderClientTelemetryPage({ client, events, filter }: ClientTelemetryPageData): string {
  const rows = events.map(
    (event) => html`<tr>
          <td>${new Date(event.receivedAt).toISOString()}</td>
          <td><code>${event.sessionId}</code></td>
          <td>${event.timestamp}</td>
          <td>${event.category}</td>
          <td>${event.method}</td>
          <td>${event.object}</td>
          <td>${event.value ?? ""}</td>
          <td><code>${event.extra ? JSON.stringify(event.extra) : ""}</code></td>
        </tr>`,
  );
  const page = html`<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Telemetry of client ${client.clientId}</title>
    <style>
      body { font-family: system-ui, sans-serif; margin: 2rem; line-height: 1.4; }
      table { border-collapse: collapse; }
      th, td { border: 1px solid #888; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
      caption { font-weight: bold; text-align: left; padding-bottom: 0.25rem; }
      code { overflow-wrap: anywhere; }
    </style>
  </head>
  <body>
    <main>
      <p><a href="/">Back to the recipes</a></p>
      <h1>Telemetry of client <code>${client.clientId}</code></h1>
      <p>Add-on ${client.addonVersion}, locale ${client.locale}, ${client.eventCount} events in all.</p>
      <form method="get">
        <label>Method <input name="method" value="${filter.method ?? ""}"></label>
        <label>Object <input name="object" value="${filter.object ?? ""}"></label>
        <button type="submit">Filter</button>
      </form>
      <table>
        <caption>Events, newest first (timestamps are ms since the client's Firefox started, per session)</caption>
        <thead>
          <tr>
            <th scope="col">Received</th>
            <th scope="col">Session</th>
            <th scope="col">Timestamp</th>
            <th scope="col">Category</th>
            <th scope="col">Method</th>
            <th scope="col">Object</th>
            <th scope="col">Value</th>
            <th scope="col">Extra</th>
          </tr>
        </thead>
        <tbody>
          ${rows.length > 0 ? rows : html`<tr><td colspan="8">No events match.</td></tr>`}
        </tbody>
      </table>
    </main>
  </body>
</html>
`;
  return page.text;
}
