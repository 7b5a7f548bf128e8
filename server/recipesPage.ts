import { addonPrefs, userJsLines } from "./addonPrefs.js";
import { dataTable } from "./dataTable.js";
import { html, type SafeHtml } from "./html.js";
import { xpiUrl } from "./extensionDetails.js";
import type { StoredExtension } from "./extensionStore.js";
import type { IntakeClient } from "./intakeStore.js";
import { renderPage } from "./pageLayout.js";
import type { PublicConfig } from "./publicConfig.js";
import type { PublishedRecord, PublishedSnapshot } from "./publishedSnapshot.js";
import type { StoredRecipe } from "./recipeStore.js";
import { RECIPES_BUCKET, RECIPES_COLLECTION } from "./changeset.js";
import { LIVE_REGION_IDS } from "./web/liveRegions.js";

export interface RecipesPageData {
  config: PublicConfig;
  recipes: StoredRecipe[];
  published: PublishedSnapshot;
  /** Uploaded add-on packages, which add-on recipes name by `extensionApiId`. */
  extensions: StoredExtension[];
  /** Clients that sent telemetry; each links to its events. */
  clients: IntakeClient[];
}

/**
 * The server's start page: the recipes with their publish state and what can be done with them (the
 * buttons work through /static/recipes-page.js and the admin API), where to point the add-on, and the
 * clients whose telemetry came in.
 */
export function renderRecipesPage({ config, recipes, published, extensions, clients }: RecipesPageData): string {
  const changesetUrl = `${config.remoteSettingsUrl}/buckets/${RECIPES_BUCKET}/collections/${RECIPES_COLLECTION}/changeset`;
  const publishedById = new Map(published.records.map((record) => [record.recipe.id, record]));
  const prefs = addonPrefs(config);
  const main = html`
      <h1>Local recipe server</h1>
      <section aria-labelledby="recipes-heading">
        <h2 id="recipes-heading">Recipes</h2>
        <div class="toolbar">
          <a class="button" href="/recipes/new">New recipe</a>
          <button type="button" class="primary" id="publish">Publish</button>
          <span class="muted">Publishing signs every enabled recipe and tells connected clients to run.</span>
        </div>
        <p id="status" class="status" role="status" aria-live="polite"></p>
        <div id="${LIVE_REGION_IDS.recipes}">
          <p>${publishSummary(recipes, published, publishedById)}</p>
          ${dataTable({
            caption: "All recipes on this server; clients see only the published ones",
            columns: ["ID", "Name", "Action", "Enabled", "Revision", "Published", "Actions"],
            rows: recipes.map((recipe) => recipeRow(recipe, publishedById.get(recipe.id))),
            empty: "No recipes yet.",
          })}
        </div>
      </section>
      <section aria-labelledby="extensions-heading">
        <h2 id="extensions-heading">Study add-ons</h2>
        <form id="xpi-upload" class="toolbar">
          <label for="xpi-file">Add-on package (.xpi)</label>
          <input id="xpi-file" name="xpi" type="file" accept=".xpi,.zip,application/x-xpinstall" aria-describedby="xpi-status">
          <button type="submit">Upload</button>
        </form>
        <p id="xpi-status" class="status" role="status" aria-live="polite"></p>
        <div id="${LIVE_REGION_IDS.extensions}">
          ${dataTable({
            caption: html`Uploaded packages; add-on recipes name one by its <code>extensionApiId</code>`,
            columns: ["extensionApiId", "Add-on id", "Name", "Version", "SHA-256", "Size", "Uploaded"],
            rows: extensions.map((extension) => extensionRow(config.serverUrl, extension)),
            empty: "No add-on uploaded yet.",
          })}
        </div>
      </section>
      <section aria-labelledby="config-heading">
        <h2 id="config-heading">Point the add-on at this server</h2>
        <p>Set these prefs in <code>about:config</code> (<code>npm start</code> sets them in the profile it creates):</p>
        <table id="addon-prefs">
          <caption>The prefs the add-on reads, with the values for this server</caption>
          <thead><tr><th scope="col">Pref</th><th scope="col">Value</th></tr></thead>
          <tbody>
            ${prefs.map(({ name, value }) => html`<tr><th scope="row"><code>${name}</code></th><td><code>${value}</code></td></tr>`)}
          </tbody>
        </table>
        <p id="user-js-label">Or put these lines in the profile folder's <code>user.js</code> (Firefox reads it at start):</p>
        <pre id="user-js" aria-labelledby="user-js-label">${userJsLines(prefs).join("\n")}</pre>
        <p>The add-on sends its telemetry to the intake only while Firefox's <code>datareporting.healthreport.uploadEnabled</code> is true.</p>
        <p>Recipes changeset: <a href="${changesetUrl}">${changesetUrl}</a></p>
      </section>
      <section aria-labelledby="telemetry-heading">
        <h2 id="telemetry-heading">Telemetry</h2>
        ${dataTable({
          caption: "Clients whose telemetry reached this server (only while their telemetry upload is enabled)",
          columns: ["Client", "Add-on version", "Locale", "Events", "Last received"],
          rows: clients.map(clientRow),
          empty: "No telemetry yet.",
        })}
      </section>`;
  return renderPage({ title: "Local recipe server", main, script: "recipes-page.js" });
}

function recipeRow(recipe: StoredRecipe, published: PublishedRecord | undefined): SafeHtml {
  const label = `recipe ${recipe.id}, ${recipe.name}`;
  const toggle = recipe.enabled ? "disable" : "enable";
  return html`<tr>
                <td>${recipe.id}</td>
                <td><a href="/recipes/${recipe.id}" aria-label="Edit ${label}">${recipe.name}</a></td>
                <td><code>${recipe.action}</code></td>
                <td>${recipe.enabled ? "Yes" : "No"}</td>
                <td>${recipe.revision_id}</td>
                <td>${publishState(recipe, published)}</td>
                <td><div class="row-actions">
                  <button type="button" data-command="${toggle}" data-recipe-id="${recipe.id}" aria-label="${recipe.enabled ? "Disable" : "Enable"} ${label}">${recipe.enabled ? "Disable" : "Enable"}</button>
                  <button type="button" data-command="duplicate" data-recipe-id="${recipe.id}" aria-label="Duplicate ${label}">Duplicate</button>
                  <button type="button" class="danger" data-command="delete" data-recipe-id="${recipe.id}" aria-label="Delete ${label}">Delete</button>
                </div></td>
              </tr>`;
}

function extensionRow(serverUrl: string, extension: StoredExtension): SafeHtml {
  return html`<tr>
                <td>${extension.id}</td>
                <td><code>${extension.extensionId}</code></td>
                <td><a href="${xpiUrl(serverUrl, extension)}">${extension.name}</a></td>
                <td>${extension.version}</td>
                <td><code>${extension.sha256}</code></td>
                <td>${extension.size} bytes</td>
                <td>${timeElement(extension.uploadedAt)}</td>
              </tr>`;
}

function publishSummary(
  recipes: StoredRecipe[],
  published: PublishedSnapshot,
  publishedById: Map<number, PublishedRecord>,
): SafeHtml {
  const unpublished =
    recipes.filter((recipe) => awaitsPublish(recipe, publishedById.get(recipe.id))).length +
    // Published recipes since deleted: clients still get them until the next publish.
    published.records.filter((record) => !recipes.some((recipe) => recipe.id === record.recipe.id)).length;
  return html`Last published ${timeElement(published.timestamp)} (collection timestamp <code>${published.timestamp}</code>), ${published.records.length} recipe${published.records.length === 1 ? "" : "s"}.
            ${unpublished === 0 ? "Everything is published." : html`<strong>${unpublished} change${unpublished === 1 ? " is" : "s are"} not published yet.</strong>`}`;
}

/** Whether the next publish changes what clients get of this recipe. */
function awaitsPublish(recipe: StoredRecipe, published: PublishedRecord | undefined): boolean {
  return recipe.enabled ? !isCurrent(recipe, published) : published !== undefined;
}

/** Whether clients are served this recipe's current revision. */
function isCurrent(recipe: StoredRecipe, published: PublishedRecord | undefined): boolean {
  return published !== undefined && published.recipe.revision_id === String(recipe.revision_id);
}

/** Whether clients currently get this recipe, since when, and whether what they get is the latest edit. */
function publishState(recipe: StoredRecipe, published: PublishedRecord | undefined): SafeHtml | string {
  if (published === undefined) return "No";
  const since = html`<br><span class="muted">signed ${timeElement(published.last_modified)}</span>`;
  if (recipe.enabled && isCurrent(recipe, published)) return html`Yes${since}`;
  return html`Revision ${published.recipe.revision_id}; changes not published yet${since}`;
}

function timeElement(ms: number): SafeHtml {
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso}</time>`;
}

function clientRow(client: IntakeClient): SafeHtml {
  return html`<tr>
            <td><a href="/clients/${encodeURIComponent(client.clientId)}"><code>${client.clientId}</code></a></td>
            <td>${client.addonVersion}</td>
            <td>${client.locale}</td>
            <td>${client.eventCount}</td>
            <td>${timeElement(client.lastReceivedAt)}</td>
          </tr>`;
}
