import { html, type SafeHtml } from "./html.js";
import type { IntakeClient } from "./intakeStore.js";
import type { PublicConfig } from "./publicConfig.js";
import type { PublishedSnapshot } from "./publishedSnapshot.js";
import type { StoredRecipe } from "./recipeStore.js";
import { RECIPES_BUCKET, RECIPES_COLLECTION } from "./changeset.js";

export interface RecipesPageData {
  config: PublicConfig;
  recipes: StoredRecipe[];
  published: PublishedSnapshot;
  /** Clients that sent telemetry; each links to its events. */
  clients: IntakeClient[];
}

/**
 * The server's start page: where to point the add-on, the recipes with their publish state, and the clients
 * whose telemetry came in.
 */
export function renderRecipesPage({ config, recipes, published, clients }: RecipesPageData): string {
  const changesetUrl = `${config.remoteSettingsUrl}/buckets/${RECIPES_BUCKET}/collections/${RECIPES_COLLECTION}/changeset`;
  const publishedRevisions = new Map(published.records.map((record) => [record.recipe.id, record.recipe.revision_id]));
  const rows = recipes.map(
    (recipe) => html`<tr>
          <td>${recipe.id}</td>
          <td>${recipe.name}</td>
          <td><code>${recipe.action}</code></td>
          <td>${recipe.enabled ? "Yes" : "No"}</td>
          <td>${recipe.revision_id}</td>
          <td>${publishState(recipe, publishedRevisions.get(recipe.id))}</td>
        </tr>`,
  );
  const page = html`<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Local recipe server</title>
    <style>
      body { font-family: system-ui, sans-serif; margin: 2rem; line-height: 1.4; }
      table { border-collapse: collapse; }
      th, td { border: 1px solid #888; padding: 0.25rem 0.5rem; text-align: left; }
      caption { font-weight: bold; text-align: left; padding-bottom: 0.25rem; }
      code { overflow-wrap: anywhere; }
    </style>
  </head>
  <body>
    <main>
      <h1>Local recipe server</h1>
      <section aria-labelledby="config-heading">
        <h2 id="config-heading">Point the add-on at this server</h2>
        <table>
          <caption>Settings the add-on needs</caption>
          <thead><tr><th scope="col">Setting</th><th scope="col">Value</th></tr></thead>
          <tbody>
            ${settingRow("Server URL", config.serverUrl)}
            ${settingRow("Remote Settings URL", config.remoteSettingsUrl)}
            ${settingRow("Legacy Normandy API URL", config.legacyApiUrl)}
            ${settingRow("Telemetry intake URL", config.intakeUrl)}
            ${settingRow("Root certificate SHA-256 (pinned root hash)", config.rootHash)}
            ${settingRow("Recipe signer", config.recipeSigner)}
            ${settingRow("Collection signer", config.collectionSigner)}
          </tbody>
        </table>
        <p>Recipes changeset: <a href="${changesetUrl}">${changesetUrl}</a></p>
        <p>Last published: <time datetime="${new Date(published.timestamp).toISOString()}">${new Date(published.timestamp).toISOString()}</time> (collection timestamp ${published.timestamp})</p>
      </section>
      <section aria-labelledby="recipes-heading">
        <h2 id="recipes-heading">Recipes</h2>
        <table>
          <caption>All recipes on this server; clients see only the published ones</caption>
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">Name</th>
              <th scope="col">Action</th>
              <th scope="col">Enabled</th>
              <th scope="col">Revision</th>
              <th scope="col">Published</th>
            </tr>
          </thead>
          <tbody>
            ${rows.length > 0 ? rows : html`<tr><td colspan="6">No recipes yet.</td></tr>`}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="telemetry-heading">
        <h2 id="telemetry-heading">Telemetry</h2>
        <table>
          <caption>Clients whose telemetry reached this server (only while their telemetry upload is enabled)</caption>
          <thead>
            <tr>
              <th scope="col">Client</th>
              <th scope="col">Add-on version</th>
              <th scope="col">Locale</th>
              <th scope="col">Events</th>
              <th scope="col">Last received</th>
            </tr>
          </thead>
          <tbody>
            ${clients.length > 0 ? clients.map(clientRow) : html`<tr><td colspan="5">No telemetry yet.</td></tr>`}
          </tbody>
        </table>
      </section>
    </main>
  </body>
</html>
`;
  return page.text;
}

function clientRow(client: IntakeClient): SafeHtml {
  return html`<tr>
          <td><a href="/clients/${encodeURIComponent(client.clientId)}"><code>${client.clientId}</code></a></td>
          <td>${client.addonVersion}</td>
          <td>${client.locale}</td>
          <td>${client.eventCount}</td>
          <td>${new Date(client.lastReceivedAt).toISOString()}</td>
        </tr>`;
}

function settingRow(label: string, value: string): SafeHtml {
  return html`<tr><th scope="row">${label}</th><td><code>${value}</code></td></tr>`;
}

/** Whether clients currently get this recipe, and whether what they get is the latest edit. */
function publishState(recipe: StoredRecipe, publishedRevision: string | undefined): string {
  if (publishedRevision === undefined) return "No";
  if (recipe.enabled && publishedRevision === String(recipe.revision_id)) return "Yes";
  return `Revision ${publishedRevision}; changes not published yet`;
}
