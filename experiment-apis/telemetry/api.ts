/**
 * Parent script of `browser.experiments.telemetry`: records into Glean and TelemetryEnvironment.
 * - uptake: a Glean event this add-on registers at run time (`recipe_client.uptake`);
 * - Normandy's events: Firefox's own `Glean.normandy.*` event metrics (all present in ESR 153) with the keys
 *   they have, and same-named event metrics registered at run time under `recipe_client_events` for an event
 *   with a key the compiled metric lacks (enroll's enrollmentId) or on a Firefox without them;
 * - experiment annotations: TelemetryEnvironment and Glean (on ESR 153 the former does not forward to the
 *   latter, so both are set);
 * - recipe freshness: a labeled quantity registered at run time (`recipe_client.recipe_freshness`), since
 *   ESR 153 has no `Glean.normandy.recipeFreshness`;
 * - the client's pings (health, performance, undesired events): an event per ping type registered at run
 *   time (`recipe_client.health`, …), and for performance pings timing distributions (`recipe_client.run_*`).
 * Bundled as an IIFE. Firefox reads the class from the sandbox global under the manifest's
 * `experiment_apis` key, which must be "telemetryExperiment": a module key is also checked as a schema
 * namespace, and the built-in `telemetry` namespace requires the "telemetry" permission, so a module
 * keyed "telemetry" is silently never loaded ("fun is not a function" in the browser console).
 */
import {
  ADDON_GLEAN_CATEGORY,
  CLIENT_PINGS,
  clientPingFieldNames,
  timingMetricName,
  type ClientPingType,
  type PerformanceEvent,
} from "../../src/core/clientPingRegistry.js";
import { columnsProblem } from "./batchColumns.js";
import { clientPingProblem } from "../../src/core/clientPingValidation.js";
import {
  NORMANDY_EVENT_CATEGORY,
  NORMANDY_EVENTS,
  VALUE_EXTRA_KEY,
  type NormandyEventMethod,
} from "../../src/core/eventRegistry.js";
import { camelCase, eventMetricName, gleanEventName } from "./eventMetricNames.js";
import { fitExtraValues, normandyEventProblem } from "../../src/core/eventValidation.js";
import { HEARTBEAT_PING_TIMES, heartbeatPingProblem, type HeartbeatPing } from "../../src/core/heartbeatPing.js";
import type { TelemetryApi } from "./interface.js";

declare global {
  var telemetryExperiment: typeof ExtensionAPI;
}

const RUNTIME_EVENT_CATEGORY = "recipe_client_events";

interface TelemetryEnvironmentModule {
  TelemetryEnvironment: {
    setExperimentActive(id: string, branch: string, options: Record<string, string>): void;
    setExperimentInactive(id: string): void;
  };
}

/**
 * A metric registered at run time (JOG), registered on first use. Runtime registrations last for the whole
 * Firefox session, so after an add-on reload the metric is already there and is not registered again.
 */
function runtimeMetric<Metric>(
  type: string,
  category: string,
  name: string,
  pings: string[],
  extraArgs?: object,
): Metric {
  const lookUp = () => Glean[camelCase(category)]?.[camelCase(name)] as Metric | undefined;
  const existing = lookUp();
  if (existing) return existing;
  const lifetime = JSON.stringify("ping");
  try {
    // The optional argument is left out rather than passed as undefined, which XPConnect would convert.
    if (extraArgs)
      Services.fog.registerRuntimeMetric(type, category, name, pings, lifetime, false, JSON.stringify(extraArgs));
    else Services.fog.registerRuntimeMetric(type, category, name, pings, lifetime, false);
  } catch (error) {
    throw new ExtensionUtils.ExtensionError(`Cannot register Glean metric ${category}.${name}: ${String(error)}`);
  }
  const registered = lookUp();
  if (!registered) {
    throw new ExtensionUtils.ExtensionError(`Glean metric ${category}.${name} is still unknown after registering it`);
  }
  return registered;
}

function uptakeMetric(): GleanEventMetric {
  return runtimeMetric("event", ADDON_GLEAN_CATEGORY, "uptake", ["events"], {
    allowed_extra_keys: ["source", VALUE_EXTRA_KEY],
  });
}

function recipeFreshnessMetric(): GleanLabeledQuantityMetric {
  return runtimeMetric("labeled_quantity", ADDON_GLEAN_CATEGORY, "recipe_freshness", ["metrics"]);
}

function clientPingMetric(type: ClientPingType): GleanEventMetric {
  return runtimeMetric("event", ADDON_GLEAN_CATEGORY, CLIENT_PINGS[type].metric, ["events"], {
    allowed_extra_keys: clientPingFieldNames(type),
  });
}

/**
 * In nanoseconds, so Glean keeps the milliseconds exactly: it counts a sample of 0 as one unit, which in
 * milliseconds would turn every 0 ms stage into 1 ms.
 */
function stageTimingMetric(event: PerformanceEvent): GleanTimingDistributionMetric {
  return runtimeMetric("timing_distribution", ADDON_GLEAN_CATEGORY, timingMetricName(event), ["metrics"], {
    time_unit: "nanosecond",
  });
}

const NANOSECONDS_PER_MILLISECOND = 1_000_000;

/**
 * Records a Normandy event to Glean as the registry decides: to Firefox's compiled `Glean.normandy.*` metric
 * with the keys it has, and, when that metric is missing (Normandy is being retired from Firefox) or lacks
 * one of the event's keys (`notInCompiledMetric`: ESR 153's enroll metrics have no enrollmentId), whole to a
 * same-named event metric registered at run time under `recipe_client_events`.
 */
function recordNormandyEvent(method: NormandyEventMethod, object: string, extra: Record<string, string>): void {
  const compiled = Glean[NORMANDY_EVENT_CATEGORY]?.[gleanEventName(method, object)] as GleanEventMetric | undefined;
  const lacking: readonly string[] = NORMANDY_EVENTS[method].notInCompiledMetric;
  if (compiled) compiled.record(Object.fromEntries(Object.entries(extra).filter(([key]) => !lacking.includes(key))));
  if (compiled && !Object.keys(extra).some((key) => lacking.includes(key))) return;
  const runtime = runtimeMetric<GleanEventMetric>(
    "event",
    RUNTIME_EVENT_CATEGORY,
    eventMetricName(method, object),
    ["events"],
    {
      allowed_extra_keys: [VALUE_EXTRA_KEY, ...NORMANDY_EVENTS[method].extraKeys],
    },
  );
  runtime.record(extra);
}

function telemetryEnvironment(): TelemetryEnvironmentModule["TelemetryEnvironment"] {
  return ChromeUtils.importESModule<TelemetryEnvironmentModule>("resource://gre/modules/TelemetryEnvironment.sys.mjs")
    .TelemetryEnvironment;
}

/** The event format's clock: whole milliseconds since Firefox's process start. */
function checkColumns(nameA: string, columnA: unknown[], nameB: string, columnB: unknown[]): void {
  const problem = columnsProblem(nameA, columnA, nameB, columnB);
  if (problem !== null) throw new ExtensionUtils.ExtensionError(problem);
}

function eventTimestamp(): number {
  return Math.floor(Services.telemetry.msSinceProcessStart());
}

/** `GleanPings`, a global of the ext-*.js sandbox like `Glean`. */
declare const GleanPings: { readonly [ping: string]: { submit(reason?: string): void } | undefined };

interface GleanSettable<Value> {
  set(value: Value): void;
}

/**
 * Firefox's heartbeat ping, as Heartbeat.sys.mjs fills it. Datetimes are given in microseconds since the
 * epoch, which is what FOG's datetime `set` takes (Normandy passes milliseconds, so its ping's dates read
 * as January 1970; its test only checks their order).
 */
function submitHeartbeat(ping: HeartbeatPing): void {
  const metrics = Glean.heartbeat as Record<string, GleanSettable<unknown>> | undefined;
  const heartbeatPing = GleanPings.heartbeat;
  if (!metrics || !heartbeatPing) throw new ExtensionUtils.ExtensionError("This Firefox has no heartbeat ping");
  metrics.flowId!.set(ping.flowId);
  metrics.surveyId!.set(ping.surveyId);
  for (const name of HEARTBEAT_PING_TIMES) {
    const time = ping[name];
    if (time != null) metrics[name]!.set(time * 1000);
  }
  if (ping.score != null) metrics.score!.set(ping.score);
  heartbeatPing.submit();
}

const telemetryApi: TelemetryApi = {
  async reportUptakes({ sources, statuses }) {
    checkColumns("sources", sources, "statuses", statuses);
    const metric = uptakeMetric();
    for (const [index, source] of sources.entries()) metric.record({ source, [VALUE_EXTRA_KEY]: statuses[index]! });
    return eventTimestamp();
  },

  async msSinceProcessStart() {
    return eventTimestamp();
  },

  async recordEvent(method, object, value, extra) {
    const problem = normandyEventProblem(method, object, value, extra);
    if (problem !== null) throw new ExtensionUtils.ExtensionError(problem);
    recordNormandyEvent(method, object, { ...fitExtraValues(extra), [VALUE_EXTRA_KEY]: value });
    return eventTimestamp();
  },

  async setExperimentActive(slug, branch, { type, enrollmentId }) {
    // Schema normalization turns an omitted optional property into null, which Glean would refuse.
    const options: Record<string, string> = typeof enrollmentId === "string" ? { type, enrollmentId } : { type };
    telemetryEnvironment().setExperimentActive(slug, branch, options);
    Services.fog.setExperimentActive(slug, branch, options);
  },

  async setExperimentInactive(slug) {
    telemetryEnvironment().setExperimentInactive(slug);
    Services.fog.setExperimentInactive(slug);
  },

  async setRecipeFreshness({ recipeIds, revisions }) {
    checkColumns("recipeIds", recipeIds, "revisions", revisions);
    const freshness = recipeFreshnessMetric();
    for (const [index, recipeId] of recipeIds.entries()) {
      const metric = freshness[String(recipeId)];
      if (!metric) throw new ExtensionUtils.ExtensionError(`Glean refused the recipe freshness label ${recipeId}`);
      metric.set(revisions[index]!);
    }
  },

  async recordClientPings(pings) {
    // All checked first: a refused ping records none of the batch.
    for (const ping of pings) {
      const problem = clientPingProblem(ping);
      if (problem !== null) throw new ExtensionUtils.ExtensionError(problem);
    }
    for (const ping of pings) {
      clientPingMetric(ping.type).record({ ...ping.fields, event: ping.event, value: ping.value });
      if (ping.type === "performance") {
        stageTimingMetric(ping.event).accumulateSingleSample(Number(ping.value) * NANOSECONDS_PER_MILLISECOND);
      }
    }
    return eventTimestamp();
  },

  async submitHeartbeatPing(ping) {
    const problem = heartbeatPingProblem(ping);
    if (problem !== null) throw new ExtensionUtils.ExtensionError(problem);
    submitHeartbeat(ping);
  },
};

globalThis.telemetryExperiment = class TelemetryExperimentApi extends ExtensionAPI {
  getAPI(_context: GeckoExtensionContext) {
    return { experiments: { telemetry: telemetryApi } };
  }
};
