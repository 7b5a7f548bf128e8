/**
 * Parent script of `browser.experiments.telemetry`: records uptake into a Glean event metric that this
 * add-on registers at run time (`recipe_client.uptake`, read back as `Glean.recipeClient.uptake`).
 * Bundled as an IIFE. Firefox reads the class from the sandbox global under the manifest's
 * `experiment_apis` key, which must be "telemetryExperiment": a module key is also checked as a schema
 * namespace, and the built-in `telemetry` namespace requires the "telemetry" permission, so a module
 * keyed "telemetry" is silently never loaded ("fun is not a function" in the browser console).
 */
import type { TelemetryApi } from "./interface.js";

declare global {
  var telemetryExperiment: typeof ExtensionAPI;
}

const UPTAKE_CATEGORY = "recipe_client";
const UPTAKE_METRIC = "uptake";

/** Glean's camelCased view of `recipe_client.uptake`; undefined until registered in this session. */
function registeredUptakeMetric(): GleanEventMetric | undefined {
  return Glean.recipeClient?.uptake as GleanEventMetric | undefined;
}

/**
 * Registers the metric on first use. Runtime registrations last for the whole Firefox session, so after
 * an add-on reload the metric is already there. (On ESR 153 registering it a second time neither throws
 * nor drops recorded events, but we do not rely on that.) No manifest "startup" event is needed.
 */
function uptakeMetric(): GleanEventMetric {
  const existing = registeredUptakeMetric();
  if (existing) return existing;
  try {
    Services.fog.registerRuntimeMetric(
      "event",
      UPTAKE_CATEGORY,
      UPTAKE_METRIC,
      ["events"],
      JSON.stringify("ping"),
      false,
      JSON.stringify({ allowed_extra_keys: ["source", "value"] }),
    );
  } catch (error) {
    throw new ExtensionUtils.ExtensionError(
      `Cannot register Glean metric ${UPTAKE_CATEGORY}.${UPTAKE_METRIC}: ${String(error)}`,
    );
  }
  const registered = registeredUptakeMetric();
  if (!registered) {
    throw new ExtensionUtils.ExtensionError(
      `Glean metric ${UPTAKE_CATEGORY}.${UPTAKE_METRIC} is still unknown after registering it`,
    );
  }
  return registered;
}

const telemetryApi: TelemetryApi = {
  async reportUptake(source, status) {
    uptakeMetric().record({ source, value: status });
    return Services.telemetry.msSinceProcessStart();
  },

  async msSinceProcessStart() {
    return Services.telemetry.msSinceProcessStart();
  },
};

globalThis.telemetryExperiment = class TelemetryExperimentApi extends ExtensionAPI {
  getAPI(_context: GeckoExtensionContext) {
    return { experiments: { telemetry: telemetryApi } };
  }
};
