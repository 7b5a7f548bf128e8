/**
 * The types side of the schema contract test: the parameter types of an experiment API's TypeScript
 * interface, read with the TypeScript compiler's type checker, and the parameter types of its schema.json,
 * both reduced to one small vocabulary (`Shape`) so they can be compared.
 *
 * The schema may be wider than the interface where the implementation checks the value itself to give a
 * better message (a `string` for a registry method, `any` extras): `accepts` allows exactly that. Number
 * ranges, string patterns and minimum lengths have no TypeScript counterpart and are not compared.
 */
import path from "node:path";
import ts from "typescript";

export type Shape =
  | { kind: "string" | "number" | "boolean" | "any" }
  | { kind: "enum"; values: string[] }
  | { kind: "array"; items: Shape }
  | { kind: "object"; properties: Record<string, { shape: Shape; optional: boolean }> }
  | { kind: "record"; values: Shape }
  | { kind: "choices"; choices: Shape[] };

export interface ParameterShape {
  name: string;
  optional: boolean;
  shape: Shape;
}

/** Every function's parameters and every event's listener and extra parameters, by name. */
export interface ApiShapes {
  functions: Record<string, ParameterShape[]>;
  events: Record<string, { parameters: ParameterShape[]; extraParameters: ParameterShape[] }>;
}

// ---------------------------------------------------------------------------------------------------------
// TypeScript

/** Where an API's interface is declared: a file (from the repository root) and the interface's name. */
export interface InterfaceDeclaration {
  file: string;
  interfaceName: string;
}

/** Reads each declared interface, all with one compiler program (building one takes a second or two). */
export function interfaceShapes<Key extends string>(
  root: string,
  declarations: Record<Key, InterfaceDeclaration>,
): Record<Key, ApiShapes> {
  const files = Object.values<InterfaceDeclaration>(declarations).map(({ file }) => path.join(root, file));
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  });
  const checker = program.getTypeChecker();
  const entries = Object.entries<InterfaceDeclaration>(declarations).map(([key, declaration]) => [
    key,
    readInterface(program, checker, root, declaration),
  ]);
  return Object.fromEntries(entries) as Record<Key, ApiShapes>;
}

function readInterface(
  program: ts.Program,
  checker: ts.TypeChecker,
  root: string,
  { file, interfaceName }: InterfaceDeclaration,
): ApiShapes {
  const source = program.getSourceFile(path.join(root, file));
  if (!source) throw new Error(`${file} is not in the program`);
  const declaration = source.statements.find(
    (statement): statement is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(statement) && statement.name.text === interfaceName,
  );
  if (!declaration) throw new Error(`${file} declares no interface ${interfaceName}`);
  const api = checker.getTypeAtLocation(declaration);

  const shapes: ApiShapes = { functions: {}, events: {} };
  for (const member of checker.getPropertiesOfType(api)) {
    const type = checker.getTypeOfSymbol(member);
    const [signature] = type.getCallSignatures();
    if (signature) {
      shapes.functions[member.name] = signature.parameters.map((parameter) => parameterShape(checker, parameter));
      continue;
    }
    // An ExperimentEvent<Args, Extra>: the listener's parameters are Args, addListener's extra ones Extra.
    const addListener = type.getProperty("addListener");
    if (!addListener) throw new Error(`${interfaceName}.${member.name} is neither a function nor an event`);
    const [listener, ...extra] = checker.getTypeOfSymbol(addListener).getCallSignatures()[0]!.parameters;
    shapes.events[member.name] = {
      parameters: checker
        .getTypeOfSymbol(listener!)
        .getCallSignatures()[0]!
        .parameters.flatMap((parameter) => restParameterShapes(checker, parameter)),
      extraParameters: extra.flatMap((parameter) => restParameterShapes(checker, parameter)),
    };
  }
  return shapes;
}

function parameterShape(checker: ts.TypeChecker, parameter: ts.Symbol): ParameterShape {
  const declaration = parameter.valueDeclaration as ts.ParameterDeclaration | undefined;
  const optional = Boolean(declaration?.questionToken || declaration?.initializer);
  return { name: parameter.name, optional, shape: typeShape(checker, checker.getTypeOfSymbol(parameter), optional) };
}

/** A rest parameter of a tuple type (`...extra: [names: string[]]`) as the parameters it stands for; any other as itself. */
function restParameterShapes(checker: ts.TypeChecker, parameter: ts.Symbol): ParameterShape[] {
  const tuple = checker.getTypeOfSymbol(parameter);
  if (!checker.isTupleType(tuple)) return [parameterShape(checker, parameter)];
  const target = (tuple as ts.TupleTypeReference).target;
  return checker.getTypeArguments(tuple as ts.TypeReference).map((element, index) => {
    const optional = Boolean(target.elementFlags[index]! & ts.ElementFlags.Optional);
    const label = target.labeledElementDeclarations?.[index]?.name;
    return {
      name: label && ts.isIdentifier(label) ? label.text : `${parameter.name}[${index}]`,
      optional,
      shape: typeShape(checker, element, optional),
    };
  });
}

function typeShape(checker: ts.TypeChecker, type: ts.Type, optional = false): Shape {
  if (type.isUnion()) {
    // `undefined` only says "optional", which the parameter or property records itself.
    const members = type.types.filter((member) => !(optional && member.flags & ts.TypeFlags.Undefined));
    if (members.every((member) => member.isStringLiteral()))
      return { kind: "enum", values: members.map((member) => (member as ts.StringLiteralType).value).sort() };
    const booleans = members.filter((member) => member.flags & ts.TypeFlags.BooleanLiteral);
    const others = members
      .filter((member) => !(member.flags & ts.TypeFlags.BooleanLiteral))
      .map((member) => typeShape(checker, member));
    const shapes =
      booleans.length === 2
        ? [...others, { kind: "boolean" } as const]
        : [...others, ...booleans.map((member) => typeShape(checker, member))];
    return shapes.length === 1 ? shapes[0]! : { kind: "choices", choices: shapes };
  }
  if (type.flags & (ts.TypeFlags.String | ts.TypeFlags.TemplateLiteral)) return { kind: "string" };
  if (type.isStringLiteral()) return { kind: "enum", values: [type.value] };
  if (type.flags & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) return { kind: "number" };
  if (type.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return { kind: "boolean" };
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return { kind: "any" };
  if (checker.isArrayType(type))
    return { kind: "array", items: typeShape(checker, checker.getTypeArguments(type as ts.TypeReference)[0]!) };
  if (type.flags & ts.TypeFlags.Object) {
    const properties = checker.getPropertiesOfType(type);
    const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
    if (index && properties.length === 0) return { kind: "record", values: typeShape(checker, index.type) };
    return {
      kind: "object",
      properties: Object.fromEntries(
        properties.map((property) => {
          const propertyOptional = Boolean(property.flags & ts.SymbolFlags.Optional);
          return [
            property.name,
            {
              optional: propertyOptional,
              shape: typeShape(checker, checker.getTypeOfSymbol(property), propertyOptional),
            },
          ];
        }),
      ),
    };
  }
  throw new Error(`no schema counterpart for the TypeScript type ${checker.typeToString(type)}`);
}

// ---------------------------------------------------------------------------------------------------------
// schema.json

export interface SchemaType {
  id?: string;
  name?: string;
  type?: string;
  $ref?: string;
  optional?: boolean;
  enum?: string[];
  items?: SchemaType;
  properties?: Record<string, SchemaType>;
  additionalProperties?: SchemaType;
  choices?: SchemaType[];
  parameters?: SchemaType[];
  extraParameters?: SchemaType[];
}

export interface SchemaNamespace {
  namespace: string;
  types?: SchemaType[];
  functions?: SchemaType[];
  events?: SchemaType[];
}

export function schemaShapes(entry: SchemaNamespace): ApiShapes {
  const types = new Map((entry.types ?? []).map((type) => [type.id!, type]));
  const parameters = (list: SchemaType[] = []): ParameterShape[] =>
    list.map((parameter) => ({
      name: parameter.name!,
      optional: parameter.optional === true,
      shape: schemaShape(parameter, types),
    }));
  return {
    functions: Object.fromEntries((entry.functions ?? []).map((fn) => [fn.name!, parameters(fn.parameters)])),
    events: Object.fromEntries(
      (entry.events ?? []).map((event) => [
        event.name!,
        { parameters: parameters(event.parameters), extraParameters: parameters(event.extraParameters) },
      ]),
    ),
  };
}

function schemaShape(type: SchemaType, types: Map<string, SchemaType>): Shape {
  if (type.$ref) {
    const target = types.get(type.$ref);
    if (!target) throw new Error(`schema type ${type.$ref} is not declared`);
    return schemaShape(target, types);
  }
  if (type.choices) return { kind: "choices", choices: type.choices.map((choice) => schemaShape(choice, types)) };
  switch (type.type) {
    case "string":
      return type.enum ? { kind: "enum", values: [...type.enum].sort() } : { kind: "string" };
    case "integer":
    case "number":
      return { kind: "number" };
    case "boolean":
      return { kind: "boolean" };
    case "any":
      return { kind: "any" };
    case "array":
      return { kind: "array", items: schemaShape(type.items!, types) };
    case "object":
      if (type.properties) {
        return {
          kind: "object",
          properties: Object.fromEntries(
            Object.entries(type.properties).map(([name, property]) => [
              name,
              { optional: property.optional === true, shape: schemaShape(property, types) },
            ]),
          ),
        };
      }
      return {
        kind: "record",
        values: type.additionalProperties ? schemaShape(type.additionalProperties, types) : { kind: "any" },
      };
    default:
      throw new Error(`schema type ${JSON.stringify(type)} is not one this test knows`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Comparison

/** Whether every value of the interface's type `wanted` passes the schema's `schema`, without the schema being a different type. */
export function accepts(schema: Shape, wanted: Shape): boolean {
  if (schema.kind === "any") return true;
  if (wanted.kind === "choices" && schema.kind !== "choices")
    return wanted.choices.every((choice) => accepts(schema, choice));
  switch (schema.kind) {
    case "string":
      return wanted.kind === "string" || wanted.kind === "enum";
    case "number":
    case "boolean":
      return wanted.kind === schema.kind;
    case "enum":
      return wanted.kind === "enum" && JSON.stringify(wanted.values) === JSON.stringify(schema.values);
    case "array":
      return wanted.kind === "array" && accepts(schema.items, wanted.items);
    case "record":
      if (wanted.kind === "record") return accepts(schema.values, wanted.values);
      return (
        wanted.kind === "object" && Object.values(wanted.properties).every(({ shape }) => accepts(schema.values, shape))
      );
    case "object": {
      if (wanted.kind !== "object") return false;
      const names = Object.keys(schema.properties).sort();
      if (JSON.stringify(names) !== JSON.stringify(Object.keys(wanted.properties).sort())) return false;
      return names.every((name) => {
        const [expected, actual] = [schema.properties[name]!, wanted.properties[name]!];
        return expected.optional === actual.optional && accepts(expected.shape, actual.shape);
      });
    }
    case "choices": {
      const wantedChoices = wanted.kind === "choices" ? wanted.choices : [wanted];
      return (
        wantedChoices.every((choice) => schema.choices.some((candidate) => accepts(candidate, choice))) &&
        schema.choices.every((candidate) => wantedChoices.some((choice) => accepts(candidate, choice)))
      );
    }
  }
}

/** Every parameter whose type or optionality differs, as "<function or event>(<parameter>): ..." lines. */
export function typeMismatches(schema: ApiShapes, api: ApiShapes): string[] {
  const compare = (where: string, fromSchema: ParameterShape[], fromApi: ParameterShape[]) =>
    fromApi.flatMap((parameter, index) => {
      const expected = fromSchema[index];
      if (!expected) return [`${where}(${parameter.name}): not in the schema`];
      if (expected.optional !== parameter.optional || !accepts(expected.shape, parameter.shape)) {
        return [`${where}(${parameter.name}): schema ${describe(expected)}, interface ${describe(parameter)}`];
      }
      return [];
    });
  return [
    ...Object.entries(api.functions).flatMap(([name, parameters]) =>
      compare(name, schema.functions[name] ?? [], parameters),
    ),
    ...Object.entries(api.events).flatMap(([name, { parameters, extraParameters }]) => [
      ...compare(`${name} listener`, schema.events[name]?.parameters ?? [], parameters),
      ...compare(`${name}.addListener`, schema.events[name]?.extraParameters ?? [], extraParameters),
    ]),
  ];
}

function describe({ optional, shape }: ParameterShape): string {
  return `${optional ? "optional " : ""}${JSON.stringify(shape)}`;
}
