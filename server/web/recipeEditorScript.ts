/**
 * The recipe editor: a form generated from the action's JSON schema, and the same recipe as raw JSON in a
 * second tab. Saving sends the recipe to the admin API, which validates it (schemas, filter syntax); its
 * error names the field (a path into the arguments) or the filter position, and is shown at that field.
 */
import { ACTION_SCHEMAS, canonicalJSON, type ActionName } from "../../src/core/index.js";
import type { StoredRecipe } from "../recipeStore.js";
import { AdminApiError, adminApi, describeError, type PreviewResult, type PublishResult } from "./adminApi.js";
import { parsePath } from "./jsonPath.js";
import { renderHeartbeatPreview } from "./heartbeatPreview.js";
import { createEditor, type ValueEditor } from "./schemaForm.js";

/** What the editor sends: the fields QA writes. */
interface RecipeDraft {
  name: string;
  action: string;
  arguments: unknown;
  filter_expression: string;
  capabilities: string[];
  enabled: boolean;
}

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = byId<HTMLFormElement>("recipe-form");
const heading = byId<HTMLHeadingElement>("editor-heading");
const nameInput = byId<HTMLInputElement>("field-name");
const actionSelect = byId<HTMLSelectElement>("field-action");
const filterInput = byId<HTMLTextAreaElement>("field-filter_expression");
const filterStatus = byId<HTMLElement>("filter-status");
const capabilitiesInput = byId<HTMLTextAreaElement>("field-capabilities");
const enabledInput = byId<HTMLInputElement>("field-enabled");
const argumentsSlot = byId<HTMLElement>("arguments-form");
const heartbeatPreview = byId<HTMLElement>("heartbeat-preview");
const jsonInput = byId<HTMLTextAreaElement>("recipe-json");
const summary = byId<HTMLElement>("error-summary");
const saveStatus = byId<HTMLElement>("save-status");
const previewStatus = byId<HTMLElement>("preview-status");
const tabs = { form: byId<HTMLButtonElement>("tab-form"), json: byId<HTMLButtonElement>("tab-json") };
const panels = { form: byId<HTMLElement>("panel-form"), json: byId<HTMLElement>("panel-json") };

let recipeId = form.dataset["recipeId"] ? Number(form.dataset["recipeId"]) : undefined;
let argumentsEditor: ValueEditor;
let activeTab: keyof typeof tabs = "form";
/** The stored recipe as the active tab reads it (draftKey), set on load and save: anything else is an unsaved edit. */
let savedKey: string | undefined;

const NEW_RECIPE: RecipeDraft = {
  name: "",
  action: "console-log",
  arguments: {},
  filter_expression: "",
  capabilities: [],
  enabled: false,
};

function isActionName(action: string): action is ActionName {
  return Object.hasOwn(ACTION_SCHEMAS, action);
}

function showArguments(action: ActionName, value: unknown): void {
  argumentsEditor = createEditor(ACTION_SCHEMAS[action], value, { label: "arguments", required: true }, false);
  argumentsSlot.replaceChildren(argumentsEditor.element);
  updatePreview();
}

/** A survey's bar, previewed as QA types. */
function updatePreview(): void {
  if (actionSelect.value === "show-heartbeat") renderHeartbeatPreview(heartbeatPreview, argumentsEditor.read());
  else heartbeatPreview.hidden = true;
}

function fillForm(recipe: RecipeDraft): void {
  nameInput.value = recipe.name;
  actionSelect.value = recipe.action;
  filterInput.value = recipe.filter_expression;
  capabilitiesInput.value = recipe.capabilities.join("\n");
  enabledInput.checked = recipe.enabled;
  if (isActionName(recipe.action)) showArguments(recipe.action, recipe.arguments);
}

function readForm(): RecipeDraft {
  return {
    name: nameInput.value,
    action: actionSelect.value,
    arguments: argumentsEditor.read(),
    filter_expression: filterInput.value,
    capabilities: capabilitiesInput.value
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== ""),
    enabled: enabledInput.checked,
  };
}

/** Why the form cannot show `value` without losing something, or undefined when it can. */
function formProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "the recipe must be a JSON object";
  const recipe = value as Record<string, unknown>;
  const known = new Set([...Object.keys(NEW_RECIPE), "id", "revision_id", "last_modified"]);
  const unknown = Object.keys(recipe).find((key) => !known.has(key));
  if (unknown !== undefined) return `the form has no field "${unknown}"`;
  if (typeof recipe["name"] !== "string") return "name must be a string";
  if (typeof recipe["action"] !== "string" || !isActionName(recipe["action"]))
    return "action must be one of the actions";
  if (typeof recipe["arguments"] !== "object" || recipe["arguments"] === null || Array.isArray(recipe["arguments"]))
    return "arguments must be an object";
  if (typeof recipe["filter_expression"] !== "string") return "filter_expression must be a string";
  const capabilities = recipe["capabilities"] ?? [];
  if (!Array.isArray(capabilities) || !capabilities.every((item) => typeof item === "string"))
    return "capabilities must be a list of strings";
  if (recipe["enabled"] !== undefined && typeof recipe["enabled"] !== "boolean") return "enabled must be true or false";
  return undefined;
}

// --- Errors -------------------------------------------------------------------------------------------

function clearErrors(): void {
  summary.hidden = true;
  summary.replaceChildren();
  for (const message of document.querySelectorAll(".field-error")) message.remove();
  for (const invalid of document.querySelectorAll("[aria-invalid]")) {
    invalid.removeAttribute("aria-invalid");
    const describedBy = (invalid.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .filter((id) => !id.startsWith("error-"));
    if (describedBy.length > 0) invalid.setAttribute("aria-describedby", describedBy.join(" "));
    else invalid.removeAttribute("aria-describedby");
  }
}

/** The element a server error's `field` names in the form: the deepest editor its path reaches. */
function formTarget(fieldPath: string): HTMLElement | undefined {
  const [first, ...rest] = parsePath(fieldPath);
  if (first !== "arguments") return document.getElementById(`field-${String(first)}`) ?? undefined;
  if (rest.length === 0) return byId("arguments-fieldset");
  let editor = argumentsEditor;
  for (const segment of rest) {
    const next = editor.child(segment);
    if (!next) break;
    editor = next;
  }
  return editor.target;
}

/** The filter expression with a caret under `position`, so the place of a syntax error is visible. */
function filterExcerpt(expression: string, position: number): HTMLElement {
  const excerpt = document.createElement("span");
  excerpt.className = "excerpt";
  excerpt.textContent = `${expression.replace(/[\t\n\r]/g, " ")}\n${" ".repeat(position)}^`;
  excerpt.setAttribute("aria-hidden", "true"); // the message says the position in words
  return excerpt;
}

let lastErrorId = 0;

/** Marks `target` invalid with `message` next to it (and selects a position in a text field). */
function markField(target: HTMLElement, message: string, position?: number): void {
  const note = document.createElement("p");
  note.className = "field-error";
  note.id = `error-${++lastErrorId}`;
  note.textContent = message;
  if (position !== undefined && target instanceof HTMLTextAreaElement)
    note.append(filterExcerpt(target.value, position));
  target.setAttribute("aria-invalid", "true");
  target.setAttribute("aria-describedby", [target.getAttribute("aria-describedby"), note.id].filter(Boolean).join(" "));
  const container = target.closest(".field");
  if (target instanceof HTMLFieldSetElement) target.querySelector("legend")!.after(note);
  else if (container) container.append(note);
  else target.after(note);
  if (position !== undefined && target instanceof HTMLTextAreaElement) target.setSelectionRange(position, position + 1);
}

/**
 * Shows why the recipe was not saved: `message` in a summary (focused, so it is announced), and
 * `fieldMessage` at the field.
 */
function showError(
  title: string,
  message: string,
  target?: HTMLElement,
  position?: number,
  fieldMessage = message,
): void {
  clearErrors();
  const heading = document.createElement("h2");
  heading.textContent = title;
  const text = document.createElement("p");
  if (target) {
    const link = document.createElement("a");
    link.href = `#${target.id}`;
    link.textContent = message;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      target.focus();
    });
    text.append(link);
    markField(target, fieldMessage, position);
  } else {
    text.textContent = message;
  }
  summary.replaceChildren(heading, text);
  summary.hidden = false;
  summary.focus();
}

function showApiError(title: string, error: unknown): void {
  if (!(error instanceof AdminApiError)) {
    showError(title, describeError(error));
    return;
  }
  const { field, position } = error.body;
  // In the JSON tab the message names the field (the form's fields are hidden there).
  const target = field === undefined ? undefined : activeTab === "form" ? formTarget(field) : jsonInput;
  // At a form field the field is evident; in the JSON tab the message must name it.
  const fieldMessage = activeTab === "form" ? error.message : describeError(error);
  showError(title, describeError(error), target, activeTab === "form" ? position : undefined, fieldMessage);
}

/** Parses the JSON tab; on a syntax error shows the parser's message (it gives line and column) and selects the place. */
function parseJsonTab(title: string): unknown {
  try {
    return JSON.parse(jsonInput.value);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    showError(title, `The JSON is not valid: ${message}`, jsonInput, jsonOffset(message));
    return undefined;
  }
}

/** The offset Firefox's "… at line L column C of the JSON data" points at. */
function jsonOffset(message: string): number | undefined {
  const match = /line (\d+) column (\d+)/.exec(message);
  if (!match) return undefined;
  const lines = jsonInput.value.split("\n");
  const line = Number(match[1]) - 1;
  return lines.slice(0, line).reduce((sum, text) => sum + text.length + 1, 0) + Number(match[2]) - 1;
}

// --- Tabs ---------------------------------------------------------------------------------------------

function selectTab(tab: keyof typeof tabs): void {
  if (tab === activeTab) return;
  if (tab === "json") {
    jsonInput.value = JSON.stringify(readForm(), null, 2);
  } else {
    const value = parseJsonTab("The form cannot show this JSON");
    if (value === undefined) return;
    const problem = formProblem(value);
    if (problem) {
      showError(
        "The form cannot show this JSON",
        `${problem}. Fix it here, or save to see what the server says.`,
        jsonInput,
      );
      return;
    }
    fillForm({ ...NEW_RECIPE, ...(value as Partial<RecipeDraft>) });
  }
  clearErrors();
  activeTab = tab;
  for (const name of ["form", "json"] as const) {
    tabs[name].setAttribute("aria-selected", String(name === tab));
    tabs[name].tabIndex = name === tab ? 0 : -1;
    panels[name].hidden = name !== tab;
  }
  tabs[tab].focus();
}

tabs.form.addEventListener("click", () => selectTab("form"));
tabs.json.addEventListener("click", () => selectTab("json"));
// The tab list pattern: arrow keys, Home and End move between the two tabs.
for (const tab of Object.values(tabs)) {
  tab.addEventListener("keydown", (event) => {
    if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
    event.preventDefault();
    selectTab(event.key === "Home" ? "form" : event.key === "End" ? "json" : activeTab === "form" ? "json" : "form");
  });
}

// --- Unsaved edits ------------------------------------------------------------------------------------

const DRAFT_FIELDS: readonly (keyof RecipeDraft)[] = [
  "name",
  "action",
  "arguments",
  "filter_expression",
  "capabilities",
  "enabled",
];

/** The fields QA writes, in canonical JSON: equal keys mean equal recipes, whatever the key order. */
function draftKey(value: unknown): string {
  const fields = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  return canonicalJSON(Object.fromEntries(DRAFT_FIELDS.map((name) => [name, fields[name] ?? null])));
}

/** What the active tab holds now; undefined when the JSON tab does not parse (an unsaved edit too). */
function currentKey(): string | undefined {
  if (activeTab === "form") return draftKey(readForm());
  try {
    return draftKey(JSON.parse(jsonInput.value));
  } catch {
    return undefined;
  }
}

// --- Saving -------------------------------------------------------------------------------------------

function say(element: HTMLElement, text: string, kind: "ok" | "error" | "" = ""): void {
  element.textContent = text;
  element.className = `status ${kind}`;
}

/** The recipe to send, from the active tab; undefined when the JSON tab does not parse. */
function draft(): unknown {
  return activeTab === "form" ? readForm() : parseJsonTab("The recipe was not saved");
}

/** Saves; resolves with the stored recipe, or undefined after showing why not. */
async function save(): Promise<StoredRecipe | undefined> {
  const recipe = draft();
  if (recipe === undefined) return undefined;
  clearErrors();
  say(saveStatus, "Saving…");
  try {
    const saved =
      recipeId === undefined
        ? await adminApi<StoredRecipe>("POST", "recipes", recipe)
        : await adminApi<StoredRecipe>("PUT", `recipes/${recipeId}`, recipe);
    if (recipeId === undefined) {
      recipeId = saved.id;
      history.replaceState(null, "", `/recipes/${saved.id}`);
      heading.textContent = document.title = `Edit recipe ${saved.id}`;
    }
    if (activeTab === "form") fillForm(saved);
    else jsonInput.value = JSON.stringify(saved, null, 2);
    savedKey = currentKey();
    say(
      saveStatus,
      `Saved: recipe ${saved.id}, revision ${saved.revision_id}${saved.enabled ? "" : " (disabled)"}.`,
      "ok",
    );
    return saved;
  } catch (error) {
    say(saveStatus, "Not saved.", "error");
    showApiError("The recipe was not saved", error);
    return undefined;
  }
}

async function saveAndPublish(): Promise<void> {
  const saved = await save();
  if (!saved) return;
  say(saveStatus, "Saved; publishing…");
  try {
    const { timestamp } = await adminApi<PublishResult>("POST", "publish");
    const delivery = saved.enabled ? "connected clients run now" : "this recipe is disabled, so clients do not get it";
    say(
      saveStatus,
      `Saved revision ${saved.revision_id} and published (collection timestamp ${timestamp}); ${delivery}.`,
      "ok",
    );
  } catch (error) {
    say(saveStatus, "Saved, but not published.", "error");
    showApiError("Nothing was published", error);
  }
}

/**
 * Signs the saved version into the preview collection, for "Run here" in the add-on's QA console. It saves
 * nothing: with unsaved edits it asks to save first rather than sign the stored version silently.
 */
async function signPreview(): Promise<void> {
  if (recipeId === undefined || savedKey === undefined || currentKey() !== savedKey) {
    say(
      previewStatus,
      recipeId === undefined
        ? "Save first: a preview signs the saved recipe, and this one was never saved."
        : "Save first: this recipe has unsaved edits, and a preview signs the saved version only.",
      "error",
    );
    return;
  }
  clearErrors();
  say(previewStatus, "Signing a preview…");
  try {
    const { timestamp, record } = await adminApi<PreviewResult>("POST", `recipes/${recipeId}/preview`);
    say(
      previewStatus,
      `Signed draft revision ${record.recipe.revision_id} into the preview collection at ${new Date(timestamp).toLocaleTimeString()}. ` +
        "Run it on a client from the add-on's QA console → Run here.",
      "ok",
    );
  } catch (error) {
    say(previewStatus, `No preview signed: ${describeError(error)}`, "error");
    showApiError("No preview was signed", error);
  }
}

async function checkFilter(): Promise<void> {
  const expression = filterInput.value;
  say(filterStatus, "Checking…");
  try {
    const result = await adminApi<{ valid: boolean; message?: string; position?: number }>("POST", "filter-check", {
      filter_expression: expression,
    });
    if (result.valid) {
      say(filterStatus, "Syntax OK.", "ok");
      return;
    }
    say(filterStatus, `Syntax error at position ${result.position}: ${result.message}`, "error");
    filterStatus.append(filterExcerpt(expression, result.position ?? 0));
    filterInput.setSelectionRange(result.position ?? 0, (result.position ?? 0) + 1);
  } catch (error) {
    say(filterStatus, describeError(error), "error");
  }
}

/** Runs one save, preview or check at a time, with the buttons disabled meanwhile. */
function exclusively(work: () => Promise<unknown>): void {
  const buttons = [...form.querySelectorAll<HTMLButtonElement>("#save, #save-publish, #sign-preview, #check-filter")];
  if (buttons.some((button) => button.disabled)) return;
  for (const button of buttons) button.disabled = true;
  void work().finally(() => {
    for (const button of buttons) button.disabled = false;
  });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  exclusively(save);
});
byId("save-publish").addEventListener("click", () => exclusively(saveAndPublish));
byId("sign-preview").addEventListener("click", () => exclusively(signPreview));
byId("check-filter").addEventListener("click", () => exclusively(checkFilter));
argumentsSlot.addEventListener("input", updatePreview);
argumentsSlot.addEventListener("change", updatePreview);
actionSelect.addEventListener("change", () => {
  const action = actionSelect.value;
  if (!isActionName(action)) return;
  // Values of the properties the new action has too are kept.
  const previous = argumentsEditor.read() as Record<string, unknown>;
  const properties = ACTION_SCHEMAS[action].properties ?? {};
  showArguments(action, Object.fromEntries(Object.entries(previous).filter(([key]) => Object.hasOwn(properties, key))));
});

async function load(): Promise<void> {
  try {
    if (recipeId === undefined) {
      fillForm(NEW_RECIPE);
      return;
    }
    fillForm(await adminApi<StoredRecipe>("GET", `recipes/${recipeId}`));
    savedKey = currentKey();
  } catch (error) {
    showError("The recipe could not be loaded", describeError(error));
  }
}

void load();
