import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTestLayout } from '../../cli/test-layout.js';

/**
 * A small tree with the repository's shape: one package (a workspace), one tool folder, and a
 * test/ folder holding one file of every kind the rule accepts and one of every kind it refuses.
 */
const TREE: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'fixture', private: true, workspaces: ['shared/server'] }),
  'shared/server/package.json': JSON.stringify({ name: '@fixture/server' }),
  'shared/server/auth/tokens.ts': '',
  'tool/src/config.ts': '',
  'tool/local/stack.ts': '',
  'tool/web/app.ts': '',
  // Accepted: a file's mirror, a folder's mirror, suites at the top of a package or tool folder,
  // helpers in support/ and fixtures/, and the listed cross-cutting suites.
  'test/shared/server/auth/tokens.test.ts': '',
  'test/tool/src/config.test.ts': '',
  'test/tool/web.e2e.test.ts': '',
  'test/shared/server/end-to-end.test.ts': '',
  'test/tool/crash.test.ts': '',
  'test/support/unique-user.ts': '',
  'test/tool/support/harness.ts': '',
  'test/tool/src/fixtures/one.ts': '',
  'test/contract/suite.ts': '',
  'test/readme-client.test.ts': '',
  'test/README.md': '',
  // Refused.
  'test/shared/auth/tokens.test.ts': '',
  'test/tool/config.test.ts': '',
  'test/tool/src/secrets.test.ts': '',
  'test/tool/harness.ts': '',
  'test/overview.test.ts': '',
};

describe('the test layout (cli/test-layout.ts, test/README.md)', () => {
  const fixture = mkdtempSync(join(tmpdir(), 'syncbell-test-layout-'));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it('holds in the repository', () => {
    expect(checkTestLayout()).toEqual([]);
  });

  it('refuses each kind of misplaced file, and only those', () => {
    for (const [file, content] of Object.entries(TREE)) {
      mkdirSync(dirname(join(fixture, file)), { recursive: true });
      writeFileSync(join(fixture, file), content);
    }
    const found = checkTestLayout(fixture);
    expect(found.map(({ file }) => file)).toEqual([
      'test/overview.test.ts',
      'test/shared/auth/tokens.test.ts',
      'test/tool/config.test.ts',
      'test/tool/harness.ts',
      'test/tool/src/secrets.test.ts',
    ]);
    // Each says what to do instead.
    expect(found.find(({ file }) => file === 'test/tool/config.test.ts')?.problem).toContain(
      'test/tool/src/config.test.ts',
    );
    expect(found.find(({ file }) => file === 'test/tool/harness.ts')?.problem).toContain('support/');
  });
});
