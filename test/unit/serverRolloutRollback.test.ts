/**
 * The server side of preference rollouts: their arguments are checked against the core schemas, and a
 * rollback is never published together with the rollout it undoes (Normandy's server rule).
 */
import { describe, expect, it } from "vitest";
import type { RunningRecipeServer } from "../../server/recipeServer.js";
import type { StoredRecipe } from "../../server/recipeStore.js";
import { CONSOLE_LOG_RECIPE, fetchJson, postJson, useTestServers } from "./serverHarness.js";

interface ErrorBody {
  error: string;
  message: string;
  field?: string;
}

const CHANGESET_PATH = "/v1/buckets/main/collections/normandy-recipes-capabilities/changeset";
const ROLLOUT = {
  name: "Roll out foo",
  action: "preference-rollout",
  arguments: { slug: "foo-rollout", preferences: [{ preferenceName: "foo.pref", value: 1 }] },
  filter_expression: "true",
  enabled: true,
};
const ROLLBACK = {
  name: "Roll back foo",
  action: "preference-rollback",
  arguments: { rolloutSlug: "foo-rollout" },
  filter_expression: "true",
  enabled: true,
};

async function create(server: RunningRecipeServer, recipe: object): Promise<StoredRecipe> {
  const reply = await postJson<StoredRecipe>(`${server.url}/admin/api/recipes`, recipe);
  expect(reply.status).toBe(201);
  return reply.body;
}

const publish = (server: RunningRecipeServer) =>
  fetchJson<ErrorBody & { published: number[] }>(`${server.url}/admin/api/publish`, { method: "POST" });

describe("recipe server: preference rollouts and rollbacks", () => {
  const servers = useTestServers();

  it("refuses to publish a rollback together with its rollout, naming both recipes; nothing is published", async () => {
    const server = await servers.start();
    const hello = await create(server, { ...CONSOLE_LOG_RECIPE, enabled: true });
    expect((await publish(server)).status).toBe(200);
    const rollout = await create(server, ROLLOUT);
    const rollback = await create(server, ROLLBACK);
    const timestampsBefore = (await fetchJson<{ timestamps: number[] }>(`${server.url}/admin/api/snapshots`)).body
      .timestamps;

    const refused = await publish(server);

    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe("rollback_with_rollout");
    expect(refused.body.message).toContain(
      `recipe ${rollback.id} ("Roll back foo") rolls back "foo-rollout", which recipe ${rollout.id} ("Roll out foo") rolls out`,
    );
    expect((await fetchJson<{ timestamps: number[] }>(`${server.url}/admin/api/snapshots`)).body.timestamps).toEqual(
      timestampsBefore,
    );
    const served = await fetchJson<{ changes: { recipe: { id: number } }[] }>(
      `${server.url}${CHANGESET_PATH}?_expected=0`,
    );
    expect(served.body.changes.map(({ recipe }) => recipe.id)).toEqual([hello.id]);

    await fetchJson(`${server.url}/admin/api/recipes/${rollout.id}/disable`, { method: "POST" });
    const published = await publish(server);
    expect(published.status).toBe(200);
    expect(published.body.published).toEqual([hello.id, rollback.id]);
  });

  it("publishes a rollout beside a rollback of another rollout, and either one alone", async () => {
    const server = await servers.start();
    const rollout = await create(server, ROLLOUT);
    const otherRollback = await create(server, { ...ROLLBACK, arguments: { rolloutSlug: "another-rollout" } });
    await create(server, { ...ROLLBACK, enabled: false });

    const published = await publish(server);

    expect(published.status).toBe(200);
    expect(published.body.published).toEqual([rollout.id, otherRollback.id]);
  });

  it.each([
    [
      "a rollout without preferences",
      { ...ROLLOUT, arguments: { slug: "foo-rollout", preferences: [] } },
      "arguments.preferences",
    ],
    [
      "a rollout slug with capitals",
      { ...ROLLOUT, arguments: { ...ROLLOUT.arguments, slug: "Foo" } },
      "arguments.slug",
    ],
    [
      "a rollout value that is null",
      { ...ROLLOUT, arguments: { slug: "foo-rollout", preferences: [{ preferenceName: "foo.pref", value: null }] } },
      "arguments.preferences[0].value",
    ],
    ["a rollback without rolloutSlug", { ...ROLLBACK, arguments: {} }, "arguments.rolloutSlug"],
  ])("checks arguments against the core schemas: refuses %s", async (_label, recipe, field) => {
    const server = await servers.start();
    const reply = await postJson<ErrorBody>(`${server.url}/admin/api/recipes`, recipe);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: "validation_error", field });
  });
});
