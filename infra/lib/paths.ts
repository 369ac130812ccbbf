import { fileURLToPath } from 'node:url';

/** The repository root (`infra/lib/` is two levels below it); asset and entry paths hang off it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function repoPath(relativePath: string): string {
  return fileURLToPath(new URL(relativePath, new URL('../../', import.meta.url)));
}
