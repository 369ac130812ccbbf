import { expect } from 'vitest';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Matches a syncbell error by its stable `code` (docs/ERRORS.md), never by its prose:
 * `expect(fn).toThrow(withCode(ServerErrorCode.InvalidConfig))`, `rejects.toThrow(withCode(...))`.
 * `names`: settings the message must name (variables, options, knobs: identifiers a user searches
 * for, which the errors promise to name), in any order.
 */
export function withCode(code: string, ...names: string[]) {
  if (names.length === 0) return expect.objectContaining({ code });
  const namesAll = new RegExp(names.map((name) => `(?=[\\s\\S]*${escapeRegExp(name)})`).join(''));
  return expect.objectContaining({ code, message: expect.stringMatching(namesAll) });
}
