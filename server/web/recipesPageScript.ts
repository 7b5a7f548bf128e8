/**
 * The start page's buttons: enable, disable, duplicate, delete and publish through the admin API, and the
 * XPI upload. After a change the part of the page it affects is fetched again from the server (its HTML, so
 * it is rendered in one place only) and swapped in; the outcome is announced in a status line.
 */
import type { ServedExtensionDetails } from "../extensionDetails.js";
import type { StoredRecipe } from "../recipeStore.js";
import { adminApi, describeError, type PublishResult } from "./adminApi.js";
import { LIVE_REGION_IDS, type LiveRegion } from "./liveRegions.js";

const status = document.getElementById("status")!;

type Command = "enable" | "disable" | "duplicate" | "delete";

function say(text: string, kind: "ok" | "error" | "" = "", line = status): void {
  line.textContent = text;
  line.className = `status ${kind}`;
}

/** Re-renders a part of the page from the server; then focuses `focusSelector` if it matches something. */
async function refresh(region: LiveRegion, focusSelector?: string): Promise<void> {
  const id = LIVE_REGION_IDS[region];
  const page = new DOMParser().parseFromString(await (await fetch("/")).text(), "text/html");
  const fresh = page.getElementById(id);
  if (fresh) document.getElementById(id)?.replaceWith(document.adoptNode(fresh));
  if (focusSelector) document.querySelector<HTMLElement>(focusSelector)?.focus();
}

const refreshList = (focusSelector?: string) => refresh("recipes", focusSelector);

async function run(command: Command, id: number, name: string): Promise<void> {
  switch (command) {
    case "enable":
    case "disable": {
      await adminApi<StoredRecipe>("POST", `recipes/${id}/${command}`);
      await refreshList(`[data-recipe-id="${id}"][data-command="${command === "enable" ? "disable" : "enable"}"]`);
      say(`Recipe ${id} ${command}d. Publish to deliver the change to clients.`, "ok");
      return;
    }
    case "duplicate": {
      const original = await adminApi<StoredRecipe>("GET", `recipes/${id}`);
      const copy = await adminApi<StoredRecipe>("POST", "recipes", {
        name: `${original.name} (copy)`,
        action: original.action,
        arguments: original.arguments,
        filter_expression: original.filter_expression,
        capabilities: original.capabilities,
        enabled: false,
      });
      await refreshList(`a[href="/recipes/${copy.id}"]`);
      say(`Recipe ${id} duplicated as recipe ${copy.id}, disabled.`, "ok");
      return;
    }
    case "delete": {
      if (!window.confirm(`Delete recipe ${id} “${name}”? Clients keep it until the next publish.`)) return;
      await adminApi("DELETE", `recipes/${id}`);
      await refreshList();
      say(`Recipe ${id} deleted. Publish to remove it from clients.`, "ok");
      status.focus();
      return;
    }
  }
}

/** Disables `button` while `work` runs, and reports a failure in the status line. */
async function busy(button: HTMLButtonElement, work: () => Promise<void>): Promise<void> {
  button.disabled = true;
  try {
    await work();
  } catch (error) {
    say(describeError(error), "error");
  } finally {
    button.disabled = false;
  }
}

document.addEventListener("click", (event) => {
  const button = (event.target as Element).closest<HTMLButtonElement>("button[data-command]");
  if (!button) return;
  const id = Number(button.dataset["recipeId"]);
  const name = button.closest("tr")?.querySelector("a")?.textContent ?? "";
  void busy(button, () => run(button.dataset["command"] as Command, id, name));
});

const publishButton = document.getElementById("publish") as HTMLButtonElement;
publishButton.addEventListener("click", () =>
  busy(publishButton, async () => {
    say("Publishing…");
    const result = await adminApi<PublishResult>("POST", "publish");
    await refreshList();
    const count = result.published.length;
    say(
      `Published ${count} recipe${count === 1 ? "" : "s"} (collection timestamp ${result.timestamp}); connected clients run now.`,
      "ok",
    );
  }),
);
// The status line is focused after a deletion removes the focused button.
status.tabIndex = -1;

const uploadForm = document.getElementById("xpi-upload") as HTMLFormElement;
const fileInput = document.getElementById("xpi-file") as HTMLInputElement;
const uploadStatus = document.getElementById("xpi-status")!;
uploadForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const file = fileInput.files?.[0];
  fileInput.removeAttribute("aria-invalid");
  if (!file) {
    say("Choose an .xpi file first.", "error", uploadStatus);
    fileInput.focus();
    return;
  }
  const button = uploadForm.querySelector("button")!;
  void busy(button, async () => {
    say(`Uploading ${file.name}…`, "", uploadStatus);
    try {
      const extension = await adminApi<ServedExtensionDetails>(
        "POST",
        "extensions",
        new File([file], file.name, { type: "application/x-xpinstall" }),
      );
      await refresh("extensions");
      say(
        `${file.name}: ${extension.extension_id} ${extension.version} stored as extensionApiId ${extension.id}.`,
        "ok",
        uploadStatus,
      );
      uploadForm.reset();
    } catch (error) {
      say(`${file.name} was not stored: ${describeError(error)}`, "error", uploadStatus);
      fileInput.setAttribute("aria-invalid", "true");
      fileInput.focus();
    }
  });
});
