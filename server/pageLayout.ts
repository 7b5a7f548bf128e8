import { html, SafeHtml } from "./html.js";
import type { PageScript } from "./pageScripts.js";

export interface PageParts {
  title: string;
  main: SafeHtml;
  /** A script from /static/ that makes the page interactive. */
  script?: PageScript;
}

/** Styles every server page shares (inline: the pages' CSP allows inline styles, not inline scripts). */
const STYLES = `
  :root { color-scheme: light; --accent: #0060df; --danger: #b3001b; --ok: #047a34; --muted: #5b5b66; --line: #cfcfd8; }
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #15141a; background: #f9f9fb; }
  main { max-width: 80rem; margin: 0 auto; padding: 1.5rem 2rem 3rem; }
  h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; }
  h2 { font-size: 1.25rem; margin: 2rem 0 0.5rem; }
  a { color: var(--accent); }
  table { border-collapse: collapse; background: #fff; width: 100%; }
  th, td { border: 1px solid var(--line); padding: 0.35rem 0.6rem; text-align: left; vertical-align: top; }
  thead th { background: #f0f0f4; }
  table + table { margin-top: 1.25rem; }
  caption { font-weight: 600; text-align: left; padding-bottom: 0.35rem; }
  code { overflow-wrap: anywhere; font-size: 0.92em; }
  button, .button { font: inherit; padding: 0.3rem 0.8rem; border: 1px solid #8f8f9d; border-radius: 4px; background: #fff;
    color: #15141a; cursor: pointer; text-decoration: none; display: inline-block; }
  button:hover, .button:hover { background: #e0e0e6; }
  button.primary, .button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
  button.primary:hover, .button.primary:hover { background: #0250bb; }
  button.danger { color: var(--danger); border-color: var(--danger); }
  button:disabled { opacity: 0.6; cursor: progress; }
  :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  .toolbar { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 0.5rem 0 1rem; }
  .row-actions { display: flex; flex-wrap: wrap; gap: 0.3rem; }
  .muted { color: var(--muted); }
  .status { min-height: 1.5em; margin: 0.25rem 0; }
  .status.error, .field-error { color: var(--danger); font-weight: 600; }
  .status.ok { color: var(--ok); }
  strong.failed { color: var(--danger); }
  strong.forced { display: inline-block; margin-top: 0.2rem; padding: 0 0.4rem; border-radius: 3px; background: #fff1c2; color: #5a3d00; }
  tr.active td:nth-child(4) { color: var(--ok); font-weight: 600; }
  pre { background: #fff; border: 1px solid var(--line); padding: 0.5rem 0.75rem; overflow-x: auto; }
  label { font-weight: 600; }
  input[type=text], input[type=number], input:not([type]), select, textarea { font: inherit; padding: 0.25rem 0.4rem;
    border: 1px solid #8f8f9d; border-radius: 4px; background: #fff; max-width: 100%; }
  textarea { font-family: ui-monospace, monospace; width: 100%; box-sizing: border-box; }
  [aria-invalid=true] { border-color: var(--danger); box-shadow: 0 0 0 1px var(--danger); }
  .hint { color: var(--muted); font-size: 0.9em; display: block; font-weight: normal; }
  .field { margin: 0.9rem 0; }
  .field > label:first-child { display: block; }
  fieldset { border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 1rem; margin: 0.9rem 0; background: #fff; }
  fieldset fieldset { background: #f9f9fb; }
  legend { font-weight: 600; padding: 0 0.3rem; }
  .tabs { display: flex; gap: 0.25rem; border-bottom: 1px solid var(--line); margin-bottom: 1rem; }
  [role=tab] { border-radius: 4px 4px 0 0; border-bottom: none; background: #f0f0f4; }
  [role=tab][aria-selected=true] { background: #fff; font-weight: 600; box-shadow: inset 0 3px 0 var(--accent); }
  .error-summary { border: 2px solid var(--danger); border-radius: 6px; padding: 0.5rem 1rem; background: #fff4f4; margin: 1rem 0; }
  .error-summary h2 { margin: 0.25rem 0; font-size: 1.1rem; color: var(--danger); }
  .excerpt { font-family: ui-monospace, monospace; white-space: pre-wrap; background: #f0f0f4; padding: 0.2rem 0.4rem; display: block;
    color: #15141a; font-weight: normal; }
`;

/** The HTML document around a server page's content. */
export function renderPage({ title, main, script }: PageParts): string {
  return html`<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${title}</title>
    <style>${new SafeHtml(STYLES)}</style>
    ${script ? html`<script src="/static/${script}" defer></script>` : ""}
  </head>
  <body>
    <main>
${main}
    </main>
  </body>
</html>
`.text;
}
