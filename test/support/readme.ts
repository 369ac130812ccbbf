import { readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { vi } from 'vitest';

// README and guide examples run as written by the tests that hold them to the code: a block marked
// `<!-- readme-example:NAME -->` in README.md or a guide in docs/ is extracted, changed as little as
// a test must (a fresh user, a local URL), and imported as a module at the repository root, so its
// package imports (`@syncbell/...`) resolve the way they do in an app.
const root = new URL('../../', import.meta.url);
const repoRoot = fileURLToPath(root);

/** README.md and the guides in docs/, relative to the repository root: where examples live. */
export const DOC_FILES: readonly string[] = [
  'README.md',
  ...readdirSync(new URL('docs/', root))
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => `docs/${file}`),
];

/** The text of a file of `DOC_FILES` (or any file), relative to the repository root. */
export function readDoc(file: string): string {
  return readFileSync(new URL(file, root), 'utf8');
}

/**
 * The code of the `readme-example:NAME` block (a `ts` block unless `language` says otherwise), in
 * whichever of README.md and docs/*.md holds it; an error if none does, or more than one.
 */
export function readmeExample(name: string, language = 'ts'): string {
  const marker = `<!-- readme-example:${name} -->\n\`\`\`${language}\n`;
  const holders = DOC_FILES.map((file) => ({ file, text: readDoc(file) })).filter(({ text }) =>
    text.includes(marker),
  );
  if (holders.length !== 1)
    throw new Error(
      holders.length === 0
        ? `neither README.md nor a guide in docs/ has a ${name} example`
        : `the ${name} example is in ${holders.map((h) => h.file).join(' and ')}: keep one`,
    );
  const [{ text }] = holders as [{ file: string; text: string }];
  const body = text.slice(text.indexOf(marker) + marker.length);
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
