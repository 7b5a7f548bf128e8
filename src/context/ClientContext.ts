import type { ClientContextApi } from "../../experiment-apis/clientContext/interface.js";
import { errorMessage } from "../core/index.js";
import { trackSettlement, type Recipe } from "../core/index.js";
import { filterContextFor, prefetchAttributes, type ContextTimer, type RunFilterContext } from "./filterContext.js";
import type { Classification } from "./classifyClient.js";
import type { ClientIdentity } from "./ClientIdentity.js";
import {
  CONTEXT_ATTRIBUTE_NAMES,
  CONTEXT_ATTRIBUTES,
  type ContextAttributeName,
  type ContextSources,
} from "./contextAttributes.js";
import type { EnrollmentSummaries } from "./EnrollmentSummaries.js";
import { settledJson } from "./settledJson.js";
import { latestArchivedPings } from "./telemetryPings.js";

/** Normandy's filters run in Nimbus' TargetingContext, which gives every attribute 5 s. */
export const ATTRIBUTE_TIME_LIMIT_MS = 5_000;

export interface ClientContextDeps {
  api: ClientContextApi;
  identity: ClientIdentity;
  /** The server's classification of this client; when it fails, Firefox's home region and clock stand in. */
  classify(): Promise<Classification>;
  enrollments: EnrollmentSummaries;
  warn(message: string): void;
  timeLimitMs?: number;
  now?(): Date;
}

/** One attribute as the QA console shows it: its value (JSON: dates as ISO strings) or why it has none. */
export type AttributeReading = { value: unknown } | { error: string };
export type ContextSnapshot = Record<ContextAttributeName, AttributeReading>;

/**
 * Builds the `normandy` (alias `env`) object filters read. Attributes are getters that return promises,
 * which filter evaluation awaits (as mozjexl does), so a filter only computes what it reads: `normandy.country` asks the server's
 * classify-client and nothing else. Within one run each attribute is computed at most once, and each
 * source behind it (one Firefox call, the classify request) is asked at most once.
 *
 * An attribute that fails, or has no value within the time limit, rejects with an error naming it: a
 * filter that reads it fails (the recipe's suitability is `filter-error`, as with Nimbus' AttributeTimeout),
 * and stays failed for the rest of the run. Filters that do not read it are unaffected.
 */
export class ClientContext {
  constructor(private readonly deps: ClientContextDeps) {}

  /** A fresh context for one run: nothing is computed until a filter reads it, and `timer` times each attribute. */
  startRun(timer: ContextTimer = untimed): RunFilterContext {
    return this.newRun(timer);
  }

  /** Every attribute, computed now in a fresh run (for the QA console). */
  async snapshot(): Promise<ContextSnapshot> {
    const run = this.newRun(untimed);
    const readings = await Promise.all(
      CONTEXT_ATTRIBUTE_NAMES.map(async (name): Promise<[ContextAttributeName, AttributeReading]> => {
        try {
          return [name, { value: (await settledJson(await run.value(name))) ?? null }];
        } catch (error) {
          return [name, { error: errorMessage(error) }];
        }
      }),
    );
    return Object.fromEntries(readings) as ContextSnapshot;
  }

  private newRun(timer: ContextTimer): RunContext {
    return new RunContext(this.sourcesForRun(), this.limits(), timer);
  }

  private limits(): AttributeLimits {
    return { timeLimitMs: this.deps.timeLimitMs ?? ATTRIBUTE_TIME_LIMIT_MS, warn: this.deps.warn };
  }

  private sourcesForRun(): ContextSources {
    const { api, identity, enrollments } = this.deps;
    const limits = this.limits();
    return {
      app: once(() => api.getAppFacts()),
      classification: once(() => this.classification()),
      homeRegion: once(() => api.getHomeRegion()),
      isDefaultBrowser: once(() => api.isDefaultBrowser()),
      searchEngine: once(() => api.getDefaultSearchEngine()),
      addons: once(() => api.getAddons()),
      plugins: once(() => api.getPlugins()),
      userId: once(() => identity.userId()),
      isFirstRun: once(() => identity.isFirstRun()),
      experiments: once(() => enrollments.experiments()),
      studies: once(() => enrollments.studies()),
      rollouts: once(() => enrollments.rollouts()),
      archivedPings: once(() => latestArchivedPings(api)),
      currentEnvironment: once(() => api.getCurrentEnvironment()),
      // Asked for after liveTelemetry's own computation, when a filter reads a member beyond the environment:
      // it gets the attribute's time limit of its own.
      currentMainPing: once(() => limitedAttribute("liveTelemetry", api.getCurrentMainPing(), limits)),
      attribution: once(() => api.getAttribution()),
      now: this.deps.now ?? (() => new Date()),
    };
  }

  private async classification(): Promise<Classification | null> {
    try {
      return await this.deps.classify();
    } catch (error) {
      this.deps.warn(`Cannot classify this client (${errorMessage(error)}): using Firefox's home region and clock`);
      return null;
    }
  }
}

/** One run's attributes: each computed on first read, then the same promise for every later read. */
class RunContext implements RunFilterContext {
  private readonly values = new Map<ContextAttributeName, Promise<unknown>>();
  private readonly attributes: object;

  constructor(
    private readonly sources: ContextSources,
    private readonly limits: AttributeLimits,
    private readonly timer: ContextTimer,
  ) {
    this.attributes = Object.defineProperties(
      {},
      Object.fromEntries(
        CONTEXT_ATTRIBUTE_NAMES.map((name) => [name, { get: () => this.value(name), enumerable: true }]),
      ),
    );
  }

  forRecipe(recipe: Recipe) {
    return filterContextFor(this.attributes, recipe);
  }

  prefetch(names: Iterable<string>): void {
    prefetchAttributes(this.attributes, names);
  }

  value(name: ContextAttributeName): Promise<unknown> {
    let value = this.values.get(name);
    if (!value) {
      // Tracked, so filters read an attribute computed earlier in the run without waiting (filterExpressions.ts).
      value = trackSettlement(this.compute(name));
      this.values.set(name, value);
    }
    return value;
  }

  private compute(name: ContextAttributeName): Promise<unknown> {
    return this.timer(() => limitedAttribute<unknown>(name, CONTEXT_ATTRIBUTES[name](this.sources), this.limits));
  }
}

interface AttributeLimits {
  timeLimitMs: number;
  warn(message: string): void;
}

/** `work`'s value, or an error naming the attribute (also warned about) when it fails or takes too long. */
async function limitedAttribute<T>(name: string, work: Promise<T>, { timeLimitMs, warn }: AttributeLimits): Promise<T> {
  try {
    return await withinTimeLimit(work, timeLimitMs);
  } catch (error) {
    const failure = new Error(`context attribute ${name} failed: ${errorMessage(error)}`);
    warn(failure.message);
    throw failure;
  }
}

const untimed: ContextTimer = (work) => work();

function once<T>(compute: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= compute());
}

function withinTimeLimit<T>(promise: Promise<T>, limitMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no value within ${limitMs} ms`)), limitMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
