/**
 * What a client did, from what it already reports to the intake: its enrollments (Normandy's enrollment
 * events) and its latest runs (the `run` client pings: the runner's status, and each recipe's status and
 * suitability). Recipe names and preference values come from this server's published recipes, matched by id
 * and slug, since the client sends neither.
 */
import type { Recipe } from "../src/core/index.js";
import { clientEnrollments, forcedByQaLabel, type ClientEnrollment } from "./clientEnrollments.js";
import { dataTable } from "./dataTable.js";
import { html, type SafeHtml } from "./html.js";
import type { ReceivedEvent } from "./intakeStore.js";

export interface ClientActivity {
  /** The client's `run` pings, newest first. */
  runPings: ReceivedEvent[];
  /** The client's Normandy events (category `normandy`), newest first. */
  enrollmentEvents: ReceivedEvent[];
  /** The client's `qa` pings (what QA forced from the console, and undid), newest first. */
  qaPings: ReceivedEvent[];
  /** The recipes clients are served now. */
  published: Recipe[];
}

/** How many runs the page shows. */
const MAX_RUNS = 5;

export function renderClientActivitySection({
  runPings,
  enrollmentEvents,
  qaPings,
  published,
}: ClientActivity): SafeHtml {
  const recipes = new Map(published.map((recipe) => [recipe.id, recipe]));
  const runs = runsOf(runPings).slice(0, MAX_RUNS);
  return html`
      <section aria-labelledby="enrollments-heading">
        <h2 id="enrollments-heading">Enrollments</h2>
        ${dataTable({
          id: "client-enrollments",
          caption:
            "Studies and rollouts as the client's enrollment events tell them, active first (prefs: the published recipe's values for that branch)",
          columns: ["Kind", "Slug", "Branch", "State", "Prefs or add-on", "Events, oldest first"],
          rows: clientEnrollments(enrollmentEvents, qaPings).map((enrollment) => enrollmentRow(enrollment, published)),
          empty: "No enrollment event received yet.",
        })}
      </section>
      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading">Latest runs</h2>
        ${runs.length === 0 ? html`<p>No run reported yet.</p>` : runs.map((run, index) => runTable(run, index, recipes))}
      </section>`;
}

interface ReportedRun {
  result: ReceivedEvent | undefined;
  recipes: ReceivedEvent[];
}

/** One run's pings share a session and a timestamp (one recording, `src/telemetry/RunTelemetry.ts`). */
function runsOf(pings: ReceivedEvent[]): ReportedRun[] {
  const runs = new Map<string, ReportedRun>();
  for (const ping of pings) {
    const key = `${ping.sessionId}\u0000${ping.timestamp}`;
    const run = runs.get(key) ?? { result: undefined, recipes: [] };
    runs.set(key, run);
    if (ping.object === "RUN_RESULT") run.result = ping;
    else run.recipes.unshift(ping); // newest first in, so the run's own order comes out
  }
  return [...runs.values()];
}

function runTable({ result, recipes: results }: ReportedRun, index: number, recipes: Map<number, Recipe>): SafeHtml {
  const failed = results.filter((ping) => ping.value?.endsWith("_error")).length;
  const received = result ? new Date(result.receivedAt).toISOString() : "";
  const caption = html`${index === 0 ? "Latest run" : "Earlier run"}, received ${received}: runner ${result?.value ?? "?"}, ${results.length} recipe${results.length === 1 ? "" : "s"}${
    failed > 0 ? html`, <strong class="failed">${failed} failed</strong>` : ""
  }`;
  return dataTable({
    id: index === 0 ? "client-latest-run" : undefined,
    caption,
    columns: ["Recipe", "Action", "Suitability", "Status", "Why"],
    rows: results.map((ping) => {
      const id = Number(ping.extra?.["recipe_id"]);
      const recipe = recipes.get(id);
      const suitability = ping.extra?.["suitability"] ?? "";
      const status = ping.value ?? "";
      return html`<tr><td>${id} ${recipe?.name ?? "(not published now)"}</td><td><code>${recipe?.action ?? ""}</code></td><td>${suitability}</td><td>${status}</td><td>${why(suitability, status)}</td></tr>`;
    }),
    empty: "No recipes in this run.",
  });
}

/** The suitability and status in words. The client keeps its detailed reason (it may quote server answers). */
function why(suitability: string, status: string): string {
  switch (suitability) {
    case "filter-match":
      return status.endsWith("_error")
        ? `its filter matched, but the action failed (${status}); the add-on's QA console has the reason`
        : "its filter matched; the action applied it";
    case "filter-mismatch":
      return "its filter does not match this client";
    case "filter-error":
      return "its filter could not be evaluated (see Undesired events below)";
    case "capabilities-mismatch":
      return "it needs a capability this client does not have";
    case "signature-error":
      return "its signature did not verify";
    case "arguments-invalid":
      return "its arguments do not fit the action";
    default:
      return "";
  }
}

function enrollmentRow(enrollment: ClientEnrollment, published: Recipe[]): SafeHtml {
  return html`<tr${enrollment.active ? html` class="active"` : ""}>
              <td>${enrollment.kind.replace("_", " ")}</td>
              <td><code>${enrollment.slug}</code></td>
              <td>${enrollment.branch ?? ""}</td>
              <td>${enrollment.state}${enrollment.forcedByQa ? html`<br><strong class="forced">${forcedByQaLabel(enrollment.forcedByQa)}</strong>` : ""}</td>
              <td>${whatItSets(enrollment, published).map((line) => html`<code>${line}</code><br>`)}</td>
              <td>${enrollment.events.map((event) => html`${event.method}${event.extra?.["reason"] ? ` (${event.extra["reason"]})` : ""}<br>`)}</td>
            </tr>`;
}

const PREFERENCE_STUDY_ACTIONS = [
  "multi-preference-experiment",
  "preference-experiment",
  "single-preference-experiment",
];

/** The prefs the enrollment's published recipe sets on its branch, or the add-on its events name. */
function whatItSets({ kind, slug, branch, events }: ClientEnrollment, published: Recipe[]): string[] {
  if (kind === "addon_study" || kind === "addon_rollout") {
    const latest = [...events].reverse().find((event) => event.extra?.["addonId"]);
    return latest ? [`${latest.extra?.["addonId"]} ${latest.extra?.["addonVersion"] ?? ""}`.trim()] : [];
  }
  const actions = kind === "preference_study" ? PREFERENCE_STUDY_ACTIONS : ["preference-rollout"];
  const recipe = published.find(
    (candidate) => actions.includes(candidate.action) && candidate.arguments["slug"] === slug,
  );
  if (!recipe) return [];
  const args = recipe.arguments as PreferenceArguments;
  if (kind === "preference_rollout")
    return (args.preferences ?? []).map((pref) => prefLine(pref.preferenceName, pref.value, "default"));
  const chosen = args.branches?.find((candidate) => candidate.slug === branch);
  if (!chosen) return [];
  if (chosen.preferences) {
    return Object.entries(chosen.preferences).map(([name, pref]) =>
      prefLine(name, pref.preferenceValue, pref.preferenceBranchType),
    );
  }
  return args.preferenceName ? [prefLine(args.preferenceName, chosen.value, args.preferenceBranchType)] : [];
}

/** The parts of preference study and rollout arguments read here (the server validated them against their schemas). */
interface PreferenceArguments {
  preferenceName?: string;
  preferenceBranchType?: string;
  preferences?: { preferenceName: string; value: unknown }[];
  branches?: {
    slug: string;
    value?: unknown;
    preferences?: Record<string, { preferenceValue: unknown; preferenceBranchType?: string }>;
  }[];
}

function prefLine(name: string, value: unknown, branchType = "default"): string {
  return `${name} = ${JSON.stringify(value)} (${branchType} branch)`;
}
