import { html, type SafeHtml } from "./html.js";

/** A table of records on a server page: one `<tr>` per record, under a row of column headers. */
export interface DataTable {
  /** Set when a page script or a test finds the table by id. */
  id?: string;
  caption: SafeHtml | string;
  columns: string[];
  /** The records' `<tr>` elements. */
  rows: SafeHtml[];
  /** Said in a single row spanning every column when there are no rows. */
  empty: string;
}

export function dataTable({ id, caption, columns, rows, empty }: DataTable): SafeHtml {
  return html`<table${id === undefined ? "" : html` id="${id}"`}>
          <caption>${caption}</caption>
          <thead><tr>${columns.map((column) => html`<th scope="col">${column}</th>`)}</tr></thead>
          <tbody>
            ${rows.length > 0 ? rows : html`<tr><td colspan="${columns.length}">${empty}</td></tr>`}
          </tbody>
        </table>`;
}
