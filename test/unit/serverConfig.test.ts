import { describe, expect, it } from "vitest";
import { publicUrls, settingsFromEnvironment } from "../../server/config.js";

describe("recipe server configuration", () => {
  it("uses the embedded defaults without environment variables", () => {
    expect(settingsFromEnvironment({})).toEqual({
      host: "127.0.0.1",
      port: 8888,
      dataDir: "./server-data",
      country: "US",
    });
  });

  it("reads the port, data folder and country from the environment; port 0 means ephemeral", () => {
    expect(
      settingsFromEnvironment({ RECIPE_SERVER_PORT: "0", RECIPE_SERVER_DATA: "/tmp/qa", RECIPE_SERVER_COUNTRY: "FR" }),
    ).toEqual({ host: "127.0.0.1", port: 0, dataDir: "/tmp/qa", country: "FR" });
  });

  it.each(["", "http", "-1", "65536", "80.5"])("rejects the port %j", (port) => {
    expect(() => settingsFromEnvironment({ RECIPE_SERVER_PORT: port })).toThrow(/RECIPE_SERVER_PORT/);
  });

  it("derives the public URLs", () => {
    expect(publicUrls("127.0.0.1", 8888)).toEqual({
      serverUrl: "http://127.0.0.1:8888",
      remoteSettingsUrl: "http://127.0.0.1:8888/v1",
      legacyApiUrl: "http://127.0.0.1:8888/api/v1/",
      noticesUrl: "http://127.0.0.1:8888/notices",
      intakeUrl: "http://127.0.0.1:8888/intake/v1/batches",
    });
  });
});
