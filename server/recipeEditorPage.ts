import { ACTION_NAMES } from "./actionArguments.js";
import { html } from "./html.js";
import { renderPage } from "./pageLayout.js";

/**
 * The page that creates a recipe (no `recipeId`) or edits one. It is a shell: /static/recipe-editor.js loads
 * the recipe from the admin API, builds the arguments form from the action's JSON schema, and saves.
 */
export function renderRecipeEditorPage({ recipeId }: { recipeId?: number }): string {
  const title = recipeId === undefined ? "New recipe" : `Edit recipe ${recipeId}`;
  const main = html`
      <p><a href="/">Back to the recipes</a></p>
      <h1 id="editor-heading">${title}</h1>
      <div id="error-summary" class="error-summary" role="alert" tabindex="-1" hidden></div>
      <form id="recipe-form" data-recipe-id="${recipeId ?? ""}" aria-labelledby="editor-heading" novalidate>
        <div role="tablist" aria-label="Edit as" class="tabs">
          <button type="button" role="tab" id="tab-form" aria-controls="panel-form" aria-selected="true">Form</button>
          <button type="button" role="tab" id="tab-json" aria-controls="panel-json" aria-selected="false" tabindex="-1">Raw JSON</button>
        </div>
        <div role="tabpanel" id="panel-form" aria-labelledby="tab-form">
          <div class="field">
            <label for="field-name">Name</label>
            <input id="field-name" name="name" type="text" required size="60">
          </div>
          <div class="field">
            <label for="field-action">Action</label>
            <select id="field-action" name="action">
              ${ACTION_NAMES.map((action) => html`<option value="${action}">${action}</option>`)}
            </select>
          </div>
          <div class="field">
            <label for="field-filter_expression">Filter expression</label>
            <span class="hint" id="filter-hint">JEXL, evaluated on the client against <code>normandy.*</code>; checked for syntax before it is saved.</span>
            <textarea id="field-filter_expression" name="filter_expression" rows="3" aria-describedby="filter-hint filter-status" spellcheck="false"></textarea>
            <div class="toolbar">
              <button type="button" id="check-filter">Check syntax</button>
              <span id="filter-status" class="status" role="status" aria-live="polite"></span>
            </div>
          </div>
          <div class="field">
            <label for="field-capabilities">Extra capabilities</label>
            <span class="hint" id="capabilities-hint">One per line; <code>action.&lt;name&gt;</code> is always added on publish.</span>
            <textarea id="field-capabilities" name="capabilities" rows="2" aria-describedby="capabilities-hint" spellcheck="false"></textarea>
          </div>
          <div class="field">
            <input id="field-enabled" name="enabled" type="checkbox">
            <label for="field-enabled">Enabled</label>
            <span class="hint">Only enabled recipes are published.</span>
          </div>
          <fieldset id="arguments-fieldset" tabindex="-1">
            <legend>Arguments</legend>
            <div id="arguments-form"><p class="muted">Loading…</p></div>
          </fieldset>
          <section id="heartbeat-preview" aria-label="Preview of the survey bar" hidden></section>
        </div>
        <div role="tabpanel" id="panel-json" aria-labelledby="tab-json" hidden>
          <label for="recipe-json">The recipe as JSON</label>
          <span class="hint" id="json-hint">The same fields as the form. Saving from here sends exactly this.</span>
          <textarea id="recipe-json" rows="24" aria-describedby="json-hint" spellcheck="false"></textarea>
        </div>
        <div class="toolbar">
          <button type="submit" class="primary" id="save">Save</button>
          <button type="button" id="save-publish">Save and publish</button>
          <button type="button" id="sign-preview" aria-describedby="preview-hint">Sign a preview</button>
          <span id="save-status" class="status" role="status" aria-live="polite"></span>
        </div>
        <p class="hint" id="preview-hint">A preview signs the saved version (enabled or not) into a separate preview collection that clients do not poll: QA runs it on one client from the add-on's QA console. Nothing is published.</p>
        <p id="preview-status" class="status" role="status" aria-live="polite"></p>
      </form>`;
  return renderPage({ title, main, script: "recipe-editor.js" });
}
