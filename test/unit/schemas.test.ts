import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ADDONS_API_EVENTS, ADDONS_API_PARAMETERS } from "../../experiment-apis/addons/interface.js";
import { CLIENT_CONTEXT_API_PARAMETERS } from "../../experiment-apis/clientContext/interface.js";
import {
  NOTIFICATION_BAR_API_EVENTS,
  NOTIFICATION_BAR_API_PARAMETERS,
} from "../../experiment-apis/notificationBar/interface.js";
import { PREFS_API_EVENTS, PREFS_API_PARAMETERS } from "../../experiment-apis/prefs/interface.js";
import { TELEMETRY_API_PARAMETERS } from "../../experiment-apis/telemetry/interface.js";
import {
  type ApiShapes,
  type InterfaceDeclaration,
  type SchemaNamespace,
  interfaceShapes,
  schemaShapes,
  typeMismatches,
} from "./schemaTypes.js";

const root = path.resolve(import.meta.dirname, "../..");
const manifest = JSON.parse(readFileSync(path.join(root, "manifest.json"), "utf8"));

interface SchemaFunction {
  name: string;
  async?: boolean | string;
  parameters?: { name: string }[];
}

interface SchemaEvent {
  name: string;
  parameters?: { name: string }[];
  extraParameters?: { name: string }[];
}

type EventContract = Record<string, { parameters: readonly string[]; extraParameters: readonly string[] }>;

const contracts: Record<string, Record<string, readonly string[]>> = {
  prefs: PREFS_API_PARAMETERS,
  telemetry: TELEMETRY_API_PARAMETERS,
  clientContext: CLIENT_CONTEXT_API_PARAMETERS,
  addons: ADDONS_API_PARAMETERS,
  notificationBar: NOTIFICATION_BAR_API_PARAMETERS,
};

/** Events per namespace; a namespace without an entry must declare none. */
const eventContracts: Record<string, EventContract> = {
  prefs: PREFS_API_EVENTS,
  addons: ADDONS_API_EVENTS,
  notificationBar: NOTIFICATION_BAR_API_EVENTS,
};

/** Where each namespace's interface is declared, for the type comparison. */
const interfaces: Record<string, InterfaceDeclaration> = {
  prefs: { file: "experiment-apis/prefs/interface.ts", interfaceName: "PrefsApi" },
  telemetry: { file: "experiment-apis/telemetry/interface.ts", interfaceName: "TelemetryApi" },
  clientContext: { file: "experiment-apis/clientContext/interface.ts", interfaceName: "ClientContextApi" },
  addons: { file: "experiment-apis/addons/interface.ts", interfaceName: "AddonsApi" },
  notificationBar: { file: "experiment-apis/notificationBar/interface.ts", interfaceName: "NotificationBarApi" },
};

function schemaEntry(namespace: string): SchemaNamespace {
  const api = manifest.experiment_apis[`${namespace}Experiment`];
  const schema = JSON.parse(readFileSync(path.join(root, api.schema), "utf8")) as SchemaNamespace[];
  const entry = schema.find((candidate) => candidate.namespace === `experiments.${namespace}`);
  if (!entry) throw new Error(`schema.json has no namespace experiments.${namespace}`);
  return entry;
}

describe("experiment API schemas agree with their TypeScript interfaces", () => {
  // Manifest keys are `<namespace>Experiment`: a key equal to a built-in namespace such as `telemetry` is
  // checked against that namespace's permission and silently fails to load.
  it("the manifest declares exactly the namespaces that have an interface", () => {
    expect(Object.keys(manifest.experiment_apis).sort()).toEqual(
      Object.keys(contracts)
        .map((ns) => `${ns}Experiment`)
        .sort(),
    );
  });

  for (const [namespace, parameters] of Object.entries(contracts)) {
    it(`experiments.${namespace}: same functions, same parameters in the same order, all async`, () => {
      const api = manifest.experiment_apis[`${namespace}Experiment`];
      expect(api.parent.paths).toEqual([["experiments", namespace]]);
      const schema = JSON.parse(readFileSync(path.join(root, api.schema), "utf8")) as {
        namespace: string;
        functions?: SchemaFunction[];
        events?: SchemaEvent[];
      }[];
      const entry = schema.find((candidate) => candidate.namespace === `experiments.${namespace}`);
      expect(entry, `schema.json has no namespace experiments.${namespace}`).toBeDefined();
      const fromSchema = Object.fromEntries(
        (entry!.functions ?? []).map((fn) => [fn.name, (fn.parameters ?? []).map((parameter) => parameter.name)]),
      );
      expect(fromSchema).toEqual(parameters);
      for (const fn of entry!.functions ?? []) {
        // Parent-only functions must be async: the child side gets a proxy that returns a promise.
        expect(fn.async, `${namespace}.${fn.name} must be "async": true`).toBe(true);
      }
      const names = (list?: { name: string }[]) => (list ?? []).map((parameter) => parameter.name);
      const eventsFromSchema = Object.fromEntries(
        (entry!.events ?? []).map((event) => [
          event.name,
          { parameters: names(event.parameters), extraParameters: names(event.extraParameters) },
        ]),
      );
      expect(eventsFromSchema).toEqual(eventContracts[namespace] ?? {});
    });
  }

  describe("parameter types", () => {
    let shapes: Record<string, ApiShapes>;
    beforeAll(() => {
      shapes = interfaceShapes(root, interfaces);
    }, 60_000);

    it("every namespace with an interface is compared", () => {
      expect(Object.keys(interfaces).sort()).toEqual(Object.keys(contracts).sort());
    });

    for (const namespace of Object.keys(contracts)) {
      it(`experiments.${namespace}: each parameter's type in schema.json accepts the interface's, optional alike`, () => {
        const fromInterface = shapes[namespace]!;
        // Compared at all: every function and event of the interface has its parameters read.
        expect(Object.keys(fromInterface.functions).sort()).toEqual(Object.keys(contracts[namespace]!).sort());
        expect(Object.keys(fromInterface.events).sort()).toEqual(Object.keys(eventContracts[namespace] ?? {}).sort());
        expect(typeMismatches(schemaShapes(schemaEntry(namespace)), fromInterface)).toEqual([]);
      });
    }

    it("a schema type that differs from the interface's is named", () => {
      const telemetry = structuredClone(schemaEntry("telemetry"));
      const annotation = telemetry.types!.find((type) => type.id === "ExperimentAnnotationOptions")!;
      annotation.properties!.type!.enum = annotation.properties!.type!.enum!.slice(1);
      delete annotation.properties!.enrollmentId!.optional;
      telemetry.functions!.find(
        (fn) => fn.name === "setRecipeFreshness",
      )!.parameters![0]!.properties!.revisions!.items = { type: "string" };
      const prefs = structuredClone(schemaEntry("prefs"));
      prefs.functions!.find((fn) => fn.name === "getPref")!.parameters![0]!.type = "integer";
      prefs.events![0]!.extraParameters![0]!.items = { type: "number" };

      expect(typeMismatches(schemaShapes(telemetry), shapes.telemetry!)).toEqual([
        expect.stringMatching(/^setExperimentActive\(options\): schema /),
        expect.stringMatching(/^setRecipeFreshness\(batch\): schema /),
      ]);
      expect(typeMismatches(schemaShapes(prefs), shapes.prefs!)).toEqual([
        expect.stringMatching(/^getPref\(name\): schema \{"kind":"number"\}, interface \{"kind":"string"\}$/),
        expect.stringMatching(/^onPrefChanged\.addListener\(names\): schema /),
      ]);
    });
  });
});
