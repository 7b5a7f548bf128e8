/**
 * Builds a form from an action's JSON schema (the core's `ACTION_SCHEMAS`): a labelled control per value,
 * fieldsets for objects, repeatable groups for arrays and for name → value maps (`patternProperties`), and a
 * type choice where a value may have several types. Each editor reads its value back as JSON and can be
 * found by the path the server names in a validation error. Validation itself is the server's.
 */
import type { JsonSchema, JsonSchemaType } from "../../src/core/index.js";
import type { PathSegment } from "./jsonPath.js";

export interface ValueEditor {
  readonly element: HTMLElement;
  /** The value as edited; undefined leaves an optional property out. */
  read(): unknown;
  /** What to focus, mark invalid and describe when a message is about this value. */
  readonly target: HTMLElement;
  /** The editor of a property, item or map entry, to find the value an error path names. */
  child(segment: PathSegment): ValueEditor | undefined;
}

interface FieldOptions {
  label: string;
  required: boolean;
  description?: string | undefined;
}

type ScalarType = Exclude<JsonSchemaType, "object" | "array">;

/** A form control of one scalar type; absent for `null`, which has nothing to edit. */
interface Control {
  control: HTMLInputElement | HTMLSelectElement;
  read(): unknown;
}

let lastId = 0;
const newId = (): string => `schema-field-${++lastId}`;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  properties: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), properties);
  element.append(...children);
  return element;
}

/** The editor for `value` (undefined: not set yet, the schema's default is used when it fits). */
export function createEditor(schema: JsonSchema, value: unknown, options: FieldOptions, framed = true): ValueEditor {
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const initial = value === undefined && fits(schema.default, types) ? schema.default : value;
  if (types.length > 1) return multiTypeEditor(schema, types as ScalarType[], initial, options);
  switch (types[0]) {
    case "object":
      return schema.properties || !schema.patternProperties
        ? objectEditor(schema, initial, options, framed)
        : mapEditor(Object.values(schema.patternProperties)[0]!, initial, options);
    case "array":
      return arrayEditor(schema.items ?? {}, initial, options);
    case undefined:
      return keptValueEditor(initial, options);
    default:
      return scalarEditor(schema, types[0], initial, options);
  }
}

function fits(value: unknown, types: readonly JsonSchemaType[]): boolean {
  return value !== undefined && typeOfValue(value, types) !== undefined;
}

/** The first of `types` that `value` has. */
function typeOfValue(value: unknown, types: readonly JsonSchemaType[]): JsonSchemaType | undefined {
  return types.find((type) => {
    switch (type) {
      case "null":
        return value === null;
      case "integer":
        return Number.isInteger(value);
      case "number":
        return typeof value === "number";
      case "object":
        return typeof value === "object" && value !== null && !Array.isArray(value);
      case "array":
        return Array.isArray(value);
      default:
        return typeof value === type;
    }
  });
}

function controlFor(type: ScalarType, schema: JsonSchema, value: unknown, required: boolean): Control | undefined {
  switch (type) {
    case "null":
      return undefined;
    case "boolean": {
      const control = el("input", { type: "checkbox", checked: value === true });
      return { control, read: () => control.checked };
    }
    case "number":
    case "integer": {
      const control = el("input", {
        type: "number",
        step: type === "integer" ? "1" : "any",
        value: typeof value === "number" ? String(value) : "",
      });
      // Empty (or not a number): left out, so the server says what is missing.
      return { control, read: () => (control.value === "" ? undefined : Number(control.value)) };
    }
    case "string": {
      if (schema.enum) {
        const control = el("select");
        if (!required) control.append(el("option", { value: "" }, "(not set)"));
        for (const option of schema.enum) control.append(el("option", { value: String(option) }, String(option)));
        control.value = typeof value === "string" ? value : required ? String(schema.enum[0]) : "";
        return { control, read: () => (control.value === "" && !required ? undefined : control.value) };
      }
      const control = el("input", {
        type: "text",
        value: typeof value === "string" ? value : "",
        spellcheck: false,
        size: 50,
      });
      return { control, read: () => (control.value === "" && !required ? undefined : control.value) };
    }
  }
}

/** A `.field` with a label, the schema's description as a hint, and `control` (checkboxes before their label). */
function field(options: FieldOptions, control: HTMLElement | undefined, ...rest: HTMLElement[]): HTMLElement {
  const wrapper = el("div", { className: "field" });
  const label = el("label", {}, el("code", {}, options.label), options.required ? " (required)" : "");
  if (control) {
    control.id ||= newId();
    label.htmlFor = control.id;
    if (options.required && !(control instanceof HTMLInputElement && control.type === "checkbox"))
      control.setAttribute("aria-required", "true");
  }
  const isCheckbox = control instanceof HTMLInputElement && control.type === "checkbox";
  wrapper.append(...(isCheckbox ? [control, label] : [label]));
  if (options.description) {
    const hint = el("span", { className: "hint", id: newId() }, options.description);
    control?.setAttribute("aria-describedby", hint.id);
    wrapper.append(hint);
  }
  if (control && !isCheckbox) wrapper.append(control);
  wrapper.append(...rest);
  return wrapper;
}

function scalarEditor(schema: JsonSchema, type: ScalarType, value: unknown, options: FieldOptions): ValueEditor {
  const control = controlFor(type, schema, value, options.required);
  const element = field(options, control?.control, ...(control ? [] : [el("span", { className: "muted" }, "null")]));
  return {
    element,
    read: () => (control ? control.read() : null),
    target: control?.control ?? element,
    child: () => undefined,
  };
}

/** A value of several possible types: a type choice, then the control for the chosen type. */
function multiTypeEditor(schema: JsonSchema, types: ScalarType[], value: unknown, options: FieldOptions): ValueEditor {
  const slot = el("span");
  const typeSelect = el(
    "select",
    { ariaLabel: `Type of ${options.label}` },
    ...types.map((type) => el("option", { value: type }, type)),
  );
  typeSelect.id = newId();
  const valueId = newId();
  let current: Control | undefined;
  const show = (type: ScalarType, initial: unknown) => {
    current = controlFor(type, { ...schema, type }, initial, options.required);
    if (current) current.control.id = valueId;
    slot.replaceChildren(current?.control ?? el("span", { className: "muted" }, "null"));
  };
  typeSelect.value = (typeOfValue(value, types) ?? types[0]!) as string;
  show(typeSelect.value as ScalarType, value);
  typeSelect.addEventListener("change", () => show(typeSelect.value as ScalarType, undefined));
  const element = field(options, undefined, el("span", { className: "toolbar" }, typeSelect, slot));
  element.querySelector("label")!.htmlFor = valueId;
  return {
    element,
    read: () => (current ? current.read() : null),
    get target() {
      return current?.control ?? typeSelect;
    },
    child: () => undefined,
  };
}

/** A group of fields, inside a fieldset titled by the label unless `framed` is false. */
function group(options: FieldOptions, framed: boolean): { element: HTMLElement; body: HTMLElement } {
  if (!framed) {
    const element = el("div");
    return { element, body: element };
  }
  const element = el(
    "fieldset",
    { tabIndex: -1 },
    el("legend", {}, el("code", {}, options.label), options.required ? " (required)" : ""),
  );
  if (options.description) element.append(el("span", { className: "hint" }, options.description));
  return { element, body: element };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function objectEditor(schema: JsonSchema, value: unknown, options: FieldOptions, framed: boolean): ValueEditor {
  const record = isRecord(value) ? value : {};
  const properties = schema.properties ?? {};
  const { element, body } = group(options, framed);
  const children = new Map<string, ValueEditor>();
  for (const [key, propertySchema] of Object.entries(properties)) {
    const child = createEditor(propertySchema, record[key], {
      label: key,
      required: schema.required?.includes(key) ?? false,
      description: propertySchema.description,
    });
    children.set(key, child);
    body.append(child.element);
  }
  // Properties the schema does not name are kept as they are (clients ignore them).
  const kept = Object.entries(record).filter(([key]) => !Object.hasOwn(properties, key));
  if (kept.length > 0) {
    body.append(
      el(
        "p",
        { className: "muted" },
        `Also kept unchanged: ${kept.map(([key]) => key).join(", ")} (edit them in Raw JSON).`,
      ),
    );
  }
  return {
    element,
    read: () => {
      const result: Record<string, unknown> = Object.fromEntries(kept);
      for (const [key, child] of children) {
        const childValue = child.read();
        if (childValue !== undefined) result[key] = childValue;
      }
      return result;
    },
    target: element,
    child: (segment) => children.get(String(segment)),
  };
}

/** A repeatable group with Add and Remove buttons; `renumber` keeps the item titles in order. */
function repeatable<Item extends { frame: HTMLFieldSetElement }>(
  options: FieldOptions,
  createItem: (initial: unknown) => Item,
  initialItems: unknown[],
): { element: HTMLElement; items: Item[] } {
  const { element } = group(options, true);
  const list = el("div");
  const items: Item[] = [];
  const renumber = () =>
    items.forEach((item, index) => {
      item.frame.querySelector("legend")!.textContent = `${options.label} #${index + 1}`;
      item.frame.querySelector<HTMLButtonElement>("button.remove")!.ariaLabel = `Remove ${options.label} #${index + 1}`;
    });
  const add = (initial: unknown) => {
    const item = createItem(initial);
    const remove = el("button", { type: "button", className: "remove danger" }, "Remove");
    remove.addEventListener("click", () => {
      items.splice(items.indexOf(item), 1);
      item.frame.remove();
      renumber();
      addButton.focus();
    });
    item.frame.append(remove);
    items.push(item);
    list.append(item.frame);
    renumber();
    return item;
  };
  const addButton = el("button", { type: "button" }, `Add to ${options.label}`);
  addButton.addEventListener("click", () => add(undefined).frame.querySelector<HTMLElement>("input, select")?.focus());
  for (const initial of initialItems) add(initial);
  element.append(list, el("div", { className: "toolbar" }, addButton));
  return { element, items };
}

function arrayEditor(itemSchema: JsonSchema, value: unknown, options: FieldOptions): ValueEditor {
  const { element, items } = repeatable(
    options,
    (initial) => {
      const frame = el("fieldset", { tabIndex: -1 }, el("legend"));
      const editor = createEditor(itemSchema, initial, { label: "value", required: true }, false);
      frame.append(editor.element);
      return { frame, editor };
    },
    Array.isArray(value) ? value : [],
  );
  return {
    element,
    // An item left empty is sent as null, so the server points at it.
    read: () => items.map((item) => item.editor.read() ?? null),
    target: element,
    child: (segment) => {
      const item = typeof segment === "number" ? items[segment] : undefined;
      return item && inFrame(item.editor, item.frame);
    },
  };
}

/** A name → value map (`patternProperties`), e.g. a branch's preferences by pref name. */
function mapEditor(valueSchema: JsonSchema, value: unknown, options: FieldOptions): ValueEditor {
  const { element, items } = repeatable(
    options,
    (initial) => {
      const [name, entryValue] = Array.isArray(initial) ? (initial as [string, unknown]) : ["", undefined];
      const frame = el("fieldset", { tabIndex: -1 }, el("legend"));
      const nameInput = el("input", { type: "text", value: name, spellcheck: false, size: 40 });
      const editor = createEditor(valueSchema, entryValue, { label: "value", required: true }, false);
      frame.append(field({ label: "name", required: true }, nameInput), editor.element);
      return { frame, nameInput, editor };
    },
    Object.entries(isRecord(value) ? value : {}),
  );
  return {
    element,
    read: () =>
      Object.fromEntries(
        items.filter((item) => item.nameInput.value !== "").map((item) => [item.nameInput.value, item.editor.read()]),
      ),
    target: element,
    child: (segment) => {
      const item = items.find((candidate) => candidate.nameInput.value === String(segment));
      return item && inFrame(item.editor, item.frame);
    },
  };
}

/** An item's editor; messages about an item that is a group of fields go on the item's fieldset. */
function inFrame(editor: ValueEditor, frame: HTMLFieldSetElement): ValueEditor {
  if (editor.target !== editor.element) return editor;
  return {
    element: editor.element,
    read: () => editor.read(),
    target: frame,
    child: (segment) => editor.child(segment),
  };
}

/** A value whose schema has no type the form knows: shown, kept, and editable in Raw JSON only. */
function keptValueEditor(value: unknown, options: FieldOptions): ValueEditor {
  const element = field(
    options,
    undefined,
    el("code", {}, JSON.stringify(value) ?? "(not set)"),
    el("span", { className: "hint" }, "Edit in Raw JSON."),
  );
  return { element, read: () => value, target: element, child: () => undefined };
}
