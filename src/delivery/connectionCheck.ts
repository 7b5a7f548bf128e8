import { errorMessage } from "../core/index.js";
import { fetchText } from "./fetchText.js";

/** Whether the configured server answers, for the QA console. */
export interface ConnectionCheck {
  ok: boolean;
  url: string;
  /** What answered, or why nothing usable did. */
  detail: string;
}

const CHECK_LIMITS = { timeoutMs: 5_000, maxBytes: 64 * 1024 };

/** GETs the Remote Settings root (`<server_url>/`), which any Remote Settings server answers with its name and version. */
export async function checkConnection(serverUrl: string): Promise<ConnectionCheck> {
  const url = `${serverUrl.replace(/\/+$/, "")}/`;
  let text: string;
  try {
    text = await fetchText(url, CHECK_LIMITS);
  } catch (error) {
    return { ok: false, url, detail: errorMessage(error) };
  }
  let root: { project_name?: unknown; http_api_version?: unknown };
  try {
    root = JSON.parse(text) as typeof root;
  } catch {
    return {
      ok: false,
      url,
      detail: "the server answered, but not with JSON: is server_url a Remote Settings /v1 URL?",
    };
  }
  if (typeof root?.http_api_version !== "string") {
    return {
      ok: false,
      url,
      detail: "the server answered, but not like a Remote Settings server (no http_api_version)",
    };
  }
  return {
    ok: true,
    url,
    detail: `${String(root.project_name ?? "Remote Settings")}, HTTP API ${root.http_api_version}`,
  };
}
