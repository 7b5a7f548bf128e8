/** The QA console's configuration: the add-on's settings (prefs) and a check that the server answers. */
import { type ClientConfig, CONFIG_PREFS, PREF_BRANCH } from "../config/ClientConfig.js";
import { askBackground } from "./askBackground.js";
import { byId, cell, element, errorText, say } from "./dom.js";

function render(config: ClientConfig): void {
  const rows = byId<HTMLTableSectionElement>("config");
  rows.replaceChildren();
  for (const key of Object.keys(CONFIG_PREFS) as (keyof ClientConfig)[]) {
    const row = rows.insertRow();
    const th = element("th", "", PREF_BRANCH + CONFIG_PREFS[key]);
    th.scope = "row";
    row.append(th);
    const value = config[key];
    cell(row, value === "" ? "(empty)" : String(value), value === "" ? "muted" : "");
  }
}

export async function refreshConfig(): Promise<void> {
  render(await askBackground({ type: "get-config" }));
}

/** Reloads the settings, then fetches the server's `/v1/` through the background page and says OK or why not. */
export async function checkConnection(): Promise<void> {
  const status = byId("connection-status");
  const button = byId<HTMLButtonElement>("check-connection");
  button.disabled = true;
  say(status, "Checking…");
  try {
    await refreshConfig();
    const check = await askBackground({ type: "check-connection" });
    say(
      status,
      check.ok ? `OK: ${check.url} answers (${check.detail}).` : `Not OK: ${check.url}: ${check.detail}`,
      check.ok ? "ok" : "error",
    );
  } catch (error) {
    say(status, `Cannot check: ${errorText(error)}`, "error");
  } finally {
    button.disabled = false;
  }
}
