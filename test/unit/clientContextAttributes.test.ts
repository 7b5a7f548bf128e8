import { describe, expect, it } from "vitest";
import { normandyOs } from "../../src/context/normandyOs.js";

describe("normandy.os, derived like Normandy's ClientEnvironment", () => {
  it("Linux: flags only; versions of other systems are null", () => {
    expect(normandyOs("linux", { name: "Linux", version: "6.1.0-18-amd64", windowsBuildNumber: null })).toEqual({
      isWindows: false,
      isMac: false,
      isLinux: true,
      name: "Linux",
      version: "6.1.0-18-amd64",
      windowsVersion: null,
      windowsBuildNumber: null,
      macVersion: null,
      darwinVersion: null,
    });
  });

  it("Windows: the NT version as a number and the build number", () => {
    expect(normandyOs("win", { name: "WINNT", version: "10.0", windowsBuildNumber: 19045 })).toMatchObject({
      isWindows: true,
      windowsVersion: 10,
      windowsBuildNumber: 19045,
      darwinVersion: null,
    });
  });

  it("macOS: the Darwin version, and Normandy's macVersion formula (10 + 0.1 × (darwin − 4))", () => {
    const mojave = normandyOs("macosx", { name: "Darwin", version: "18.7.0", windowsBuildNumber: null });
    expect(mojave).toMatchObject({ isMac: true, darwinVersion: 18.7, windowsVersion: null });
    expect(mojave.macVersion).toBeCloseTo(11.4);
    expect(normandyOs("macosx", { name: "Darwin", version: "4.0", windowsBuildNumber: null }).macVersion).toBeNull();
  });

  it("an unknown OS version gives null versions, not NaN", () => {
    expect(normandyOs("win", { name: "WINNT", version: null, windowsBuildNumber: null }).windowsVersion).toBeNull();
    expect(
      normandyOs("macosx", { name: "Darwin", version: "unknown", windowsBuildNumber: null }).darwinVersion,
    ).toBeNull();
  });
});
