// Types of pack-packages.mjs for the TypeScript tests that import it.
export interface WorkspacePackage {
  /** The npm name, e.g. `@identity-model/core`. */
  name: string;
  /** Its directory (absolute). */
  dir: string;
}

export const root: string;
export function publishedPackages(): WorkspacePackage[];
/** `pnpm pack`s the package into `destination`; resolves to the tarball's absolute path. */
export function packPackage(pkg: WorkspacePackage, destination: string): Promise<string>;
