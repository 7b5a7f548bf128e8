import type {
  ArchivedPingEntry,
  ClientContextApi,
  TelemetryEnvironment,
  TelemetryPing,
} from "../../experiment-apis/clientContext/interface.js";

/**
 * The ids of the most recent archived ping of each type, as Normandy's `ClientEnvironment.telemetry` picks them:
 * the greatest `timestampCreated`, the first listed on a tie.
 */
export function latestPingIds(list: readonly ArchivedPingEntry[]): Map<string, string> {
  const latest = new Map<string, ArchivedPingEntry>();
  for (const entry of list) {
    const known = latest.get(entry.type);
    if (!known || known.timestampCreated < entry.timestampCreated) latest.set(entry.type, entry);
  }
  return new Map([...latest].map(([type, entry]) => [type, entry.id]));
}

/**
 * `normandy.telemetry`: the most recent archived ping of each type Firefox still archives, by type. A type
 * Firefox no longer submits (or has not submitted in this profile) is absent, so a filter reads undefined.
 */
export async function latestArchivedPings(api: ClientContextApi): Promise<Record<string, TelemetryPing>> {
  const ids = latestPingIds(await api.getArchivedPingList());
  const pings = await Promise.all([...ids].map(async ([type, id]) => [type, await api.getArchivedPing(id)] as const));
  // fromEntries defines own properties, so a type named like an Object.prototype member stays an ordinary key.
  return Object.fromEntries(pings);
}

/** Property names the language itself reads from any value: a promise check and JSON serialization. */
const READ_BY_THE_LANGUAGE = new Set(["then", "toJSON"]);

/** The members of a main ping before its environment, in the order Firefox assembles them. */
const MAIN_PING_MEMBERS = [
  "type",
  "id",
  "creationDate",
  "version",
  "application",
  "payload",
  "clientId",
  "profileGroupId",
] as const;

/** The live main ping: its environment at once, every other member a promise, read from the whole ping. */
export type LiveMainPing = { environment: TelemetryEnvironment } & {
  readonly [Member in (typeof MAIN_PING_MEMBERS)[number]]: Promise<unknown>;
};

export interface LiveTelemetry {
  main: LiveMainPing | null;
}

/**
 * `normandy.liveTelemetry`: only `main`, the main ping Firefox would submit now, null when Firefox would submit
 * none. Its environment (what filters read) is there at once; the rest (`payload`, whose histograms take Firefox
 * 20 to 80 ms to gather, `id`, `creationDate`, …) is `wholePing`'s, asked for only when a filter reads one of
 * them: a filter awaits a promise wherever it finds one, as mozjexl does. Like Normandy's proxy, reading any other
 * ping type than `main` throws, so a filter that confuses it with `normandy.telemetry` fails (filter-error)
 * instead of quietly not matching. Symbols and what the language itself probes (`then`, `toJSON`) read as usual.
 */
export function liveTelemetry(
  environment: TelemetryEnvironment | null,
  wholePing: () => Promise<TelemetryPing | null>,
): LiveTelemetry {
  const main = environment === null ? null : liveMainPing(environment, wholePing);
  return new Proxy(
    { main },
    {
      get(target, property, receiver) {
        if (typeof property === "symbol" || property === "main" || READ_BY_THE_LANGUAGE.has(property)) {
          return Reflect.get(target, property, receiver) as unknown;
        }
        throw new Error(`Live telemetry only includes the main ping, not the ${property} ping`);
      },
      has: (_target, property) => property === "main",
    },
  );
}

function liveMainPing(environment: TelemetryEnvironment, wholePing: () => Promise<TelemetryPing | null>): LiveMainPing {
  const main: Record<string, unknown> = {};
  for (const member of MAIN_PING_MEMBERS) {
    Object.defineProperty(main, member, { enumerable: true, get: () => wholePing().then((ping) => ping?.[member]) });
  }
  main.environment = environment;
  return main as LiveMainPing;
}
