import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { vi } from 'vitest';

// README examples run as written by the tests that hold them to the code: a block marked
// `<!-- readme-example:NAME -->` is extracted, changed as little as a test must (a fresh user, a
// local URL), and imported as a module at the repository root, so its package imports
// (`@syncbell/...`) resolve the way they do in an app.
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The code of README's `readme-example:NAME` block (a `ts` block unless `language` says otherwise). */
export function readmeExample(name: string, language = 'ts'): string {
  const marker = `<!-- readme-example:${name} -->\n\`\`\`${language}\n`;
  const start = readme.indexOf(marker);
  if (start < 0) throw new Error(`README has no ${name} example`);
  const body = readme.slice(start + marker.length);
  return body.slice(0, body.indexOf('\n```'));
}

/** Imports `code` as a module at the repository root; resolves with its exports once it has run. */
export async function importExample(name: string, code: string): Promise<Record<string, unknown>> {
  const file = `${repoRoot}.readme-example-${name}-${process.pid}.ts`;
  writeFileSync(file, code);
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } finally {
    unlinkSync(file);
  }
}

/** Runs `code` as a module at the repository root; returns what it logged while it ran and what it exports. */
export async function runExample(
  name: string,
  code: string,
): Promise<{ logged: unknown[][]; exports: Record<string, unknown> }> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const exports = await importExample(name, code);
    return { logged: log.mock.calls, exports };
  } finally {
    log.mockRestore();
  }
}
