import type { OsInfo } from "../../experiment-apis/clientContext/interface.js";

/** `normandy.os`, derived like Normandy's `ClientEnvironmentBase.os` (ESR 153). */
export interface NormandyOs {
  isWindows: boolean;
  isMac: boolean;
  isLinux: boolean;
  name: string;
  version: string | null;
  windowsVersion: number | null;
  windowsBuildNumber: number | null;
  macVersion: number | null;
  darwinVersion: number | null;
}

/** "10.0.19045" → 10, "23.1.0" → 23.1: the first two components as a number (Normandy's `coerceToNumber`). */
function majorMinor(version: string | null): number | null {
  if (!version) return null;
  const number = parseFloat(version.split(".").slice(0, 2).join("."));
  return Number.isNaN(number) ? null : number;
}

export function normandyOs(platform: string, os: OsInfo): NormandyOs {
  const isWindows = platform === "win";
  const isMac = platform === "macosx";
  const darwinVersion = isMac ? majorMinor(os.version) : null;
  return {
    isWindows,
    isMac,
    isLinux: platform === "linux",
    name: os.name,
    version: os.version,
    windowsVersion: isWindows ? majorMinor(os.version) : null,
    windowsBuildNumber: isWindows ? os.windowsBuildNumber : null,
    // Normandy's formula, kept as documented: Darwin 5 was OS X 10.1, and it keeps counting in tenths past
    // macOS 11 (Darwin 23 gives 11.9, not 14).
    macVersion: darwinVersion !== null && darwinVersion >= 5 ? 10 + 0.1 * (Math.floor(darwinVersion) - 4) : null,
    darwinVersion,
  };
}
