import { describe, expect, it } from "vitest";
import type { StoredRecipe } from "../../server/recipeStore.js";
import { CONSOLE_LOG_RECIPE, fetchJson, postJson, useTestServers } from "./serverHarness.js";

interface ErrorBody {
  error: string;
  message: string;
  field?: string;
  position?: number;
}

describe("recipe server admin API", () => {
  const servers = useTestServers();

  it("creates a recipe, disabled by default, at revision 1", async () => {
    const server = await servers.start();
    const created = await postJson<StoredRecipe>(`${server.url}/admin/api/recipes`, CONSOLE_LOG_RECIPE);

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...CONSOLE_LOG_RECIPE, capabilities: [], enabled: false, revision_id: 1 });
    expect(created.headers.get("location")).toBe(`${server.url}/admin/api/recipes/${created.body.id}`);
    const fetched = await fetchJson<StoredRecipe>(`${server.url}/admin/api/recipes/${created.body.id}`);
    expect(fetched.body).toEqual(created.body);
    const listed = await fetchJson<{ recipes: StoredRecipe[] }>(`${server.url}/admin/api/recipes`);
    expect(listed.body.recipes).toEqual([created.body]);
  });

  it("bumps the revision on every edit and keeps `enabled` unless the edit sets it", async () => {
    const server = await servers.start();
    const { body: created } = await postJson<StoredRecipe>(`${server.url}/admin/api/recipes`, {
      ...CONSOLE_LOG_RECIPE,
      enabled: true,
    });
    const url = `${server.url}/admin/api/recipes/${created.id}`;

    const edited = await postJson<StoredRecipe>(url, { ...CONSOLE_LOG_RECIPE, name: "Renamed" }, "PUT");
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id: created.id, name: "Renamed", enabled: true, revision_id: 2 });

    const disabledByEdit = await postJson<StoredRecipe>(url, { ...CONSOLE_LOG_RECIPE, enabled: false }, "PUT");
    expect(disabledByEdit.body).toMatchObject({ enabled: false, revision_id: 3 });
  });

  it("accepts a fetched recipe sent back unchanged, ignoring the fields the server owns", async () => {
    const server = await servers.start();
    const { body: created } = await postJson<StoredRecipe>(`${server.url}/admin/api/recipes`, CONSOLE_LOG_RECIPE);
    const echoed = await postJson<StoredRecipe>(
      `${server.url}/admin/api/recipes/${created.id}`,
      { ...created, id: 999, revision_id: 42 },
      "PUT",
    );
    expect(echoed.body).toMatchObject({ id: created.id, revision_id: 2 });
  });

  it("enables and disables without bumping the revision", async () => {
    const server = await servers.start();
    const { body: created } = await postJson<StoredRecipe>(`${server.url}/admin/api/recipes`, CONSOLE_LOG_RECIPE);

    const enabled = await fetchJson<StoredRecipe>(`${server.url}/admin/api/recipes/${created.id}/enable`, {
      method: "POST",
    });
    expect(enabled.body).toMatchObject({ enabled: true, revision_id: 1 });
    const disabled = await fetchJson<StoredRecipe>(`${server.url}/admin/api/recipes/${created.id}/disable`, {
      method: "POST",
    });
    expect(disabled.body).toMatchObject({ enabled: false, revision_id: 1 });
  });

  it("deletes a recipe and never reuses its id", async () => {
    const server = await servers.start();
    const { body: first } = await postJson<StoredRecipe>(`${server.url}/admin/api/recipes`, CONSOLE_LOG_RECIPE);

    const deleted = await fetchJson(`${server.url}/admin/api/recipes/${first.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect((await fetchJson(`${server.url}/admin/api/recipes/${first.id}`)).status).toBe(404);
    const { body: second } = await postJson<StoredRecipe>(`${server.url}/admin/api/recipes`, CONSOLE_LOG_RECIPE);
    expect(second.id).toBeGreaterThan(first.id);
  });

  it("answers 404 with a JSON error for recipes that do not exist", async () => {
    const server = await servers.start();
    for (const [method, path] of [
      ["GET", "/admin/api/recipes/77"],
      ["DELETE", "/admin/api/recipes/77"],
      ["POST", "/admin/api/recipes/77/enable"],
    ] as const) {
      const reply = await fetchJson<ErrorBody>(`${server.url}${path}`, { method });
      expect(reply.status, `${method} ${path}`).toBe(404);
      expect(reply.body.error).toBe("not_found");
    }
    const put = await postJson<ErrorBody>(`${server.url}/admin/api/recipes/77`, CONSOLE_LOG_RECIPE, "PUT");
    expect(put.status).toBe(404);
  });

  describe("validation errors name the field", () => {
    const cases: [string, unknown, string | undefined][] = [
      ["missing name", { ...CONSOLE_LOG_RECIPE, name: undefined }, "name"],
      ["blank name", { ...CONSOLE_LOG_RECIPE, name: "  " }, "name"],
      ["unknown action", { ...CONSOLE_LOG_RECIPE, action: "launch-rockets" }, "action"],
      ["arguments not an object", { ...CONSOLE_LOG_RECIPE, arguments: ["hello"] }, "arguments"],
      ["empty filter expression", { ...CONSOLE_LOG_RECIPE, filter_expression: "" }, "filter_expression"],
      ["filter expression not a string", { ...CONSOLE_LOG_RECIPE, filter_expression: true }, "filter_expression"],
      ["capabilities not strings", { ...CONSOLE_LOG_RECIPE, capabilities: [1] }, "capabilities"],
      ["enabled not a boolean", { ...CONSOLE_LOG_RECIPE, enabled: "yes" }, "enabled"],
      ["unknown field", { ...CONSOLE_LOG_RECIPE, filter: "true" }, "filter"],
      ["console-log without a message", { ...CONSOLE_LOG_RECIPE, arguments: {} }, "arguments.message"],
      [
        "console-log with a non-string message",
        { ...CONSOLE_LOG_RECIPE, arguments: { message: 3 } },
        "arguments.message",
      ],
      ["body not an object", [CONSOLE_LOG_RECIPE], undefined],
    ];

    it.each(cases)("%s", async (_label, body, field) => {
      const server = await servers.start();
      const reply = await postJson<ErrorBody>(`${server.url}/admin/api/recipes`, body);
      expect(reply.status).toBe(400);
      expect(reply.body.error).toBe("validation_error");
      expect(reply.body.field).toBe(field);
      expect(reply.body.message).toEqual(expect.any(String));
      expect((await fetchJson<{ recipes: unknown[] }>(`${server.url}/admin/api/recipes`)).body.recipes).toEqual([]);
    });
  });

  describe("every action's arguments are checked against its schema, strictly, and the error names the path", () => {
    const study = {
      slug: "pref-study",
      userFacingName: "A study",
      userFacingDescription: "It sets a pref",
      isEnrollmentPaused: false,
      branches: [
        {
          slug: "treatment",
          ratio: 1,
          preferences: { "a.b": { preferenceType: "boolean", preferenceBranchType: "default", preferenceValue: true } },
        },
      ],
    };
    const multi = (change: (args: typeof study) => void) => {
      const args = structuredClone(study);
      change(args);
      return { ...CONSOLE_LOG_RECIPE, action: "multi-preference-experiment", arguments: args };
    };
    const cases: [string, unknown, string, RegExp][] = [
      [
        "an empty rollout",
        { ...CONSOLE_LOG_RECIPE, action: "preference-rollout", arguments: { slug: "r", preferences: [] } },
        "arguments.preferences",
        /at least 1 item/,
      ],
      [
        "a missing slug",
        multi((args) => delete (args as Partial<typeof study>).slug),
        "arguments.slug",
        /missing required property "slug"/,
      ],
      [
        "a branch slug with a space",
        multi((args) => (args.branches[0]!.slug = "a b")),
        "arguments.branches[0].slug",
        /does not match the pattern/,
      ],
      [
        "a ratio of 0",
        multi((args) => (args.branches[0]!.ratio = 0)),
        "arguments.branches[0].ratio",
        /less than the minimum 1/,
      ],
      [
        "an unknown preference type",
        multi((args) => (args.branches[0]!.preferences["a.b"]!.preferenceType = "float")),
        'arguments.branches[0].preferences["a.b"].preferenceType',
        /is not one of/,
      ],
      ["a study without branches", multi((args) => (args.branches = [])), "arguments.branches", /at least 1 item/],
    ];

    it.each(cases)("%s", async (_label, body, field, message) => {
      const server = await servers.start();
      const reply = await postJson<ErrorBody>(`${server.url}/admin/api/recipes`, body);
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ error: "validation_error", field, message: expect.stringMatching(message) });
    });

    it("accepts a valid study of every shape, legacy action names included", async () => {
      const server = await servers.start();
      const accepted = [
        multi(() => undefined),
        {
          ...CONSOLE_LOG_RECIPE,
          action: "preference-rollout",
          arguments: { slug: "r", preferences: [{ preferenceName: "a.b", value: 1 }] },
        },
        {
          ...CONSOLE_LOG_RECIPE,
          action: "preference-experiment",
          arguments: {
            slug: "s",
            preferenceName: "a.b",
            preferenceType: "integer",
            isEnrollmentPaused: false,
            branches: [{ slug: "a", value: 1, ratio: 1 }],
          },
        },
      ];
      for (const body of accepted) expect((await postJson(`${server.url}/admin/api/recipes`, body)).status).toBe(201);
    });
  });

  describe("filter expressions", () => {
    it("refuses to save one with a syntax error, naming the position", async () => {
      const server = await servers.start();
      const reply = await postJson<ErrorBody>(`${server.url}/admin/api/recipes`, {
        ...CONSOLE_LOG_RECIPE,
        filter_expression: "normandy.channel == )",
      });
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({
        error: "validation_error",
        field: "filter_expression",
        position: 20,
        message:
          "filter_expression has a syntax error at position 20: Token ) (closeParen) unexpected in expression: normandy.channel == )",
      });
      expect((await fetchJson<{ recipes: unknown[] }>(`${server.url}/admin/api/recipes`)).body.recipes).toEqual([]);
    });

    it("are checked without saving by POST /admin/api/filter-check", async () => {
      const server = await servers.start();
      const check = (filter_expression: unknown) =>
        postJson(`${server.url}/admin/api/filter-check`, { filter_expression });
      expect((await check("normandy.channel in ['beta', 'release']")).body).toEqual({ valid: true });
      expect((await check("1 +")).body).toEqual({
        valid: false,
        message: "Unexpected end of expression: 1 +",
        position: 3,
      });
      expect((await check(3)).status).toBe(400);
    });
  });

  it("publishes nothing while an enabled recipe is invalid (one stored before the checks existed)", async () => {
    const server = await servers.start();
    const before = (await fetchJson<{ timestamps: number[] }>(`${server.url}/admin/api/snapshots`)).body.timestamps;
    const broken = server.store.create({ ...CONSOLE_LOG_RECIPE, capabilities: [], filter_expression: "1 +" }, true);

    const reply = await fetchJson<ErrorBody>(`${server.url}/admin/api/publish`, { method: "POST" });

    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ field: "filter_expression", position: 3 });
    expect(reply.body.message).toContain(`recipe ${broken.id} ("Say hello") cannot be published`);
    expect((await fetchJson<{ timestamps: number[] }>(`${server.url}/admin/api/snapshots`)).body.timestamps).toEqual(
      before,
    );
  });

  it("rejects a body that is not JSON", async () => {
    const server = await servers.start();
    const reply = await fetchJson<ErrorBody>(`${server.url}/admin/api/recipes`, { method: "POST", body: "{nope" });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe("invalid_json");
  });

  it("reports the configuration a client needs", async () => {
    const server = await servers.start();
    const reply = await fetchJson(`${server.url}/admin/api/config`);
    expect(reply.body).toEqual({
      serverUrl: server.url,
      remoteSettingsUrl: `${server.url}/v1`,
      legacyApiUrl: `${server.url}/api/v1/`,
      noticesUrl: `${server.url}/notices`,
      intakeUrl: `${server.url}/intake/v1/batches`,
      rootHash: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/i),
      recipeSigner: "normandy.content-signature.mozilla.org",
      collectionSigner: "remote-settings.content-signature.mozilla.org",
      addonPrefs: {
        "extensions.recipeclient.server_url": `${server.url}/v1`,
        "extensions.recipeclient.root_hash": server.config.rootHash,
        "extensions.recipeclient.recipe_signer": "normandy.content-signature.mozilla.org",
        "extensions.recipeclient.collection_signer": "remote-settings.content-signature.mozilla.org",
        "extensions.recipeclient.api_url": `${server.url}/api/v1/`,
        "extensions.recipeclient.notices_url": `${server.url}/notices`,
        "extensions.recipeclient.intake_url": `${server.url}/intake/v1/batches`,
      },
    });
    expect(reply.body).toMatchObject(server.config);
  });
});
