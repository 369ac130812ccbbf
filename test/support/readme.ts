import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { vi } from 'vitest';

// README examples run as written: a test extracts the `ts` block after a
// `<!-- readme-example:NAME -->` marker and imports it as a module at the repository root.
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The code of README's `<!-- readme-example:NAME -->` block. */
export function readmeExample(name: string): string {
  const marker = `<!-- readme-example:${name} -->\n\`\`\`ts\n`;
  const start = readme.indexOf(marker);
  if (start < 0) throw new Error(`README has no ${name} example`);
  const body = readme.slice(start + marker.length);
  return body.slice(0, body.indexOf('\n```'));
}

/**
 * Runs `code` as a module at the repository root (its imports are relative to it); returns what
 * it logged and what it exports.
 */
export async function runExample(
  name: string,
  code: string,
): Promise<{ logged: unknown[][]; exports: Record<string, unknown> }> {
  const file = `${repoRoot}.readme-example-${name}-${process.pid}.ts`;
  writeFileSync(file, code);
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    return { logged: log.mock.calls, exports };
  } finally {
    log.mockRestore();
    unlinkSync(file);
  }
}
