import { columnsProblem } from "../../experiment-apis/telemetry/batchColumns.js";
import { clientPingProblem } from "../../src/core/clientPingValidation.js";
import { fitExtraValues, normandyEventProblem } from "../../src/core/eventValidation.js";
import type { NormandyEventMethod, NormandyEventObject } from "../../src/core/eventRegistry.js";
import { heartbeatPingProblem, type HeartbeatPing } from "../../src/core/heartbeatPing.js";
import {
  UPTAKE_STATUSES,
  type ClientPing,
  type ExperimentAnnotationOptions,
  type RecipeFreshnessBatch,
  type TelemetryApi,
  type UptakeBatch,
  type UptakeStatus,
} from "../../experiment-apis/telemetry/interface.js";
import { assertAnnotationOptions } from "./annotationContract.js";

export interface RecordedNormandyEvent {
  method: NormandyEventMethod;
  object: NormandyEventObject;
  value: string;
  extra: Record<string, string>;
}

/**
 * Records in memory, in order, with a monotonically increasing fake process clock. Refuses the same events
 * the parent script refuses (the shared registry check).
 */
export class FakeTelemetryApi implements TelemetryApi {
  readonly uptake: { source: string; status: UptakeStatus }[] = [];
  readonly events: RecordedNormandyEvent[] = [];
  /** Active experiment annotations by slug, as TelemetryEnvironment would hold them. */
  readonly activeExperiments = new Map<string, { branch: string } & ExperimentAnnotationOptions>();
  /** Recipe freshness: revision by recipe id. */
  readonly recipeFreshness = new Map<number, number>();
  readonly clientPings: ClientPing[] = [];
  /** Firefox's heartbeat pings submitted, in order. */
  readonly heartbeatPings: HeartbeatPing[] = [];
  private clock = 0;

  async reportUptakes({ sources, statuses }: UptakeBatch): Promise<number> {
    throwIfProblem(columnsProblem("sources", sources, "statuses", statuses));
    for (const status of statuses)
      if (!UPTAKE_STATUSES.includes(status)) throw new Error(`unknown uptake status ${status}`);
    this.uptake.push(...sources.map((source, index) => ({ source, status: statuses[index]! })));
    return ++this.clock;
  }

  async msSinceProcessStart(): Promise<number> {
    return ++this.clock;
  }

  async recordEvent(
    method: NormandyEventMethod,
    object: NormandyEventObject,
    value: string,
    extra: Record<string, string>,
  ): Promise<number> {
    throwIfProblem(normandyEventProblem(method, object, value, extra));
    this.events.push({ method, object, value, extra: fitExtraValues(extra) });
    return ++this.clock;
  }

  async setExperimentActive(slug: string, branch: string, options: ExperimentAnnotationOptions): Promise<void> {
    assertAnnotationOptions(slug, options);
    this.activeExperiments.set(slug, { branch, ...options });
  }

  async setExperimentInactive(slug: string): Promise<void> {
    this.activeExperiments.delete(slug);
  }

  async setRecipeFreshness({ recipeIds, revisions }: RecipeFreshnessBatch): Promise<void> {
    throwIfProblem(columnsProblem("recipeIds", recipeIds, "revisions", revisions));
    for (const [index, recipeId] of recipeIds.entries()) {
      const revision = revisions[index]!;
      if (!Number.isInteger(recipeId) || !Number.isInteger(revision))
        throw new Error(`not integers: ${recipeId}, ${revision}`);
      this.recipeFreshness.set(recipeId, revision);
    }
  }

  async recordClientPings(pings: ClientPing[]): Promise<number> {
    for (const ping of pings) {
      throwIfProblem(clientPingProblem(ping));
    }
    this.clientPings.push(...pings);
    return ++this.clock;
  }

  async submitHeartbeatPing(ping: HeartbeatPing): Promise<void> {
    throwIfProblem(heartbeatPingProblem(ping));
    this.heartbeatPings.push({ ...ping });
  }

  /** The statuses reported for one source, in order. */
  statusesFor(source: string): UptakeStatus[] {
    return this.uptake.filter((entry) => entry.source === source).map((entry) => entry.status);
  }
}

function throwIfProblem(problem: string | null): void {
  if (problem !== null) throw new Error(problem);
}
