/** The slice of web-ext's programmatic API (`web-ext` ships no type declarations) the harness uses. */
declare module "web-ext" {
  interface BuildParams {
    sourceDir: string;
    artifactsDir: string;
    /** A file name template; must end in .zip or .xpi. */
    filename?: string;
    overwriteDest?: boolean;
  }
  interface BuildOptions {
    showReadyMessage?: boolean;
  }
  const webExt: {
    cmd: {
      build(params: BuildParams, options?: BuildOptions): Promise<{ extensionPath: string }>;
    };
  };
  export default webExt;
}
