import { CLIENT_PING_TYPES, NORMANDY_EVENT_CATEGORY, UPTAKE_EVENT_METHOD } from "../../src/core/index.js";
import type { AppContext } from "../appContext.js";
import type { ClientHealthEvents } from "../clientHealthSection.js";
import { renderClientTelemetryPage } from "../clientTelemetryPage.js";
import { htmlResponse, jsonResponse, notFound } from "../httpResponse.js";
import type { EventFilter, IntakeClient } from "../intakeStore.js";
import { parseIntakeBatch } from "../intakeValidation.js";
import type { Route, RouteRequest } from "../router.js";

/**
 * The telemetry intake clients POST their batches to, and what QA reads back: clients, and each client's
 * events (JSON, and a page linked from the start page).
 */
export function intakeRoutes(app: AppContext): Route[] {
  const { intake } = app;

  function clientFrom(request: RouteRequest): IntakeClient {
    const clientId = request.params[0] ?? "";
    const client = intake.client(clientId);
    if (!client) throw notFound(`no telemetry from client ${clientId}`);
    return client;
  }

  return [
    {
      method: "POST",
      path: /^\/intake\/v1\/batches$/,
      takesBody: true,
      handle: async (request) => {
        const batch = parseIntakeBatch(await request.readJson());
        const { duplicate } = await intake.store(batch);
        return jsonResponse({ batchId: batch.batchId, events: batch.events.length, duplicate }, duplicate ? 200 : 201);
      },
    },
    {
      method: "GET",
      path: /^\/admin\/api\/clients$/,
      handle: () => jsonResponse({ clients: intake.clients() }),
    },
    {
      method: "GET",
      path: /^\/admin\/api\/clients\/([^/]+)\/events$/,
      handle: (request) => {
        const { clientId } = clientFrom(request);
        return jsonResponse({ clientId, events: intake.events(clientId, filterFrom(request.query)) });
      },
    },
    {
      method: "GET",
      path: /^\/clients\/([^/]+)$/,
      handle: (request) => {
        const client = clientFrom(request);
        const filter = filterFrom(request.query);
        const health = Object.fromEntries(
          CLIENT_PING_TYPES.map((type) => [type, intake.events(client.clientId, { method: type })]),
        ) as ClientHealthEvents;
        return htmlResponse(
          renderClientTelemetryPage({
            client,
            events: intake.events(client.clientId, filter),
            filter,
            uptake: intake.events(client.clientId, { method: UPTAKE_EVENT_METHOD }),
            kinds: intake.eventKinds(client.clientId),
            health,
            activity: {
              runPings: health.run,
              qaPings: health.qa,
              enrollmentEvents: intake
                .events(client.clientId)
                .filter((event) => event.category === NORMANDY_EVENT_CATEGORY),
              published: app.publisher.current().records.map((record) => record.recipe),
            },
          }),
        );
      },
    },
  ];
}

/** `?method=…&object=…`; an empty parameter filters nothing. */
function filterFrom(query: URLSearchParams): EventFilter {
  const filter: EventFilter = {};
  const method = query.get("method");
  const object = query.get("object");
  if (method) filter.method = method;
  if (object) filter.object = object;
  return filter;
}
