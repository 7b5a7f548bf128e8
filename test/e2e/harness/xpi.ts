/**
 * Packs an unpacked add-on directory into an .xpi for permanent installs (`Addon:Install` with
 * `temporary: false` goes through `AddonManager.getInstallForFile`, which needs a package, not a folder).
 */
import { basename } from "node:path";
import webExt from "web-ext";

/** Writes `<outDir>/<name>.xpi` (web-ext lower-cases the name) and returns the path it wrote. */
export async function buildXpi(sourceDir: string, outDir: string, name = basename(sourceDir)): Promise<string> {
  const { extensionPath } = await webExt.cmd.build(
    { sourceDir, artifactsDir: outDir, filename: `${name}.xpi`, overwriteDest: true },
    { showReadyMessage: false },
  );
  return extensionPath;
}
