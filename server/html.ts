/** HTML text that is already safe to embed; everything else interpolated into `html` is escaped. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/**
 * Template tag that escapes every interpolated value (arrays are joined), so no value reaches the page
 * unescaped by accident. Nest `html` results to compose fragments.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let text = strings[0] ?? "";
  values.forEach((value, index) => {
    text += fragment(value) + (strings[index + 1] ?? "");
  });
  return new SafeHtml(text);
}

function fragment(value: unknown): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(fragment).join("");
  return escapeHtml(String(value ?? ""));
}
