import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, posix, relative, sep } from 'node:path';
import { listWorkspaces, REPO_ROOT } from './pack.js';

/**
 * The rule tests are laid out by (test/README.md), checked by `syncbell boundaries` (`npm run
 * lint`) and by test/cli/test-layout.test.ts:
 *
 * 1. A test of one source file mirrors its path: `ecs-socketio/src/attach/resume.ts` is tested in
 *    `test/ecs-socketio/src/attach/resume.test.ts` (`.e2e.test.ts` for a browser test). A test of a
 *    source folder mirrors the folder's path the same way (`test/examples/nestjs-calendar-sync.e2e.test.ts`).
 * 2. A suite over a whole package or tool (through its public surface, across files) sits at the
 *    top of that folder's mirror, named by the behaviour it checks: `test/ecs-socketio/crash.test.ts`.
 *    Its name must not be a source file's in that folder, so nobody takes it for that file's test.
 * 3. Everything in test/ that is not a test is a helper: in `test/support/` (shared) or in a
 *    `support/` or `fixtures/` folder of one test folder.
 *
 * Cross-cutting suites that belong to no one folder are listed in CROSS_CUTTING, each saying why.
 * Hand-written: no linter we use (biome, dependency-cruiser) checks where a test file sits.
 */

/** Test files that test no single source folder, by path from the repository root. */
const CROSS_CUTTING: { pattern: RegExp; why: string }[] = [
  {
    pattern: /^test\/readme-[a-z-]+\.test\.ts$/,
    why: 'runs the root README examples, which span every package',
  },
];

/** Helpers outside a support/ or fixtures/ folder, by path from the repository root. */
const SHARED_SUITES: { pattern: RegExp; why: string }[] = [
  {
    pattern: /^test\/contract\/[a-z-]+\.ts$/,
    why: 'the one contract suite both variants run (test/<variant>/contract.test.ts), a suite rather than a helper',
  },
];

const SKIPPED_DIRS = new Set([
  'node_modules',
  'dist',
  'cdk.out',
  '.serverless',
  '.esbuild',
  '.git',
  'test-artifacts',
]);
const CODE = /\.(ts|tsx|mts|js|mjs|cjs)$/;
const TEST = /\.(e2e\.)?test\.ts$/;

export interface TestLayoutViolation {
  file: string;
  problem: string;
}

/** Every file below `dir` (posix paths relative to `root`), build output and dependencies left out. */
function walk(root: string, dir: string): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) return [];
    const path = posix.join(dir, entry.name);
    return entry.isDirectory() ? walk(root, path) : [path];
  });
}

const isSource = (root: string, path: string) =>
  ['.ts', '.tsx', '.mts', '.js', '.mjs'].some((ext) => existsSync(join(root, `${path}${ext}`))) ||
  existsSync(join(root, path));

export function checkTestLayout(root = REPO_ROOT): TestLayoutViolation[] {
  const workspaces = new Set(listWorkspaces(root).map(({ dir }) => dir));
  const topLevel = new Set(
    readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name))
      .map((entry) => entry.name)
      .filter((name) => name !== 'test'),
  );
  const violations: TestLayoutViolation[] = [];
  for (const file of walk(root, 'test').filter((path) => CODE.test(path))) {
    const inTest = relative('test', file).split(sep).join('/');
    if (!TEST.test(file)) {
      const helperFolder = inTest
        .split('/')
        .slice(0, -1)
        .some((part) => part === 'support' || part === 'fixtures');
      if (!helperFolder && !SHARED_SUITES.some(({ pattern }) => pattern.test(file)))
        violations.push({
          file,
          problem: 'a helper outside test/support/ or a support/ or fixtures/ folder of its test folder',
        });
      continue;
    }
    if (CROSS_CUTTING.some(({ pattern }) => pattern.test(file))) continue;
    const subject = inTest.replace(TEST, '');
    // Rule 1: the source file or folder it mirrors.
    if (isSource(root, subject)) continue;
    // Rule 2: a suite at the top of a package's or tool's folder, named by no source file there.
    const folder = dirname(subject);
    const name = basename(subject);
    if (workspaces.has(folder) || topLevel.has(folder)) {
      const namesake = walk(root, folder).find(
        (path) => CODE.test(path) && !path.endsWith('.d.ts') && basename(path).replace(CODE, '') === name,
      );
      if (!namesake) continue;
      violations.push({
        file,
        problem: `named like ${namesake}: a test of that file belongs at test/${namesake.replace(CODE, '.test.ts')}, a suite over ${folder}/ is named by the behaviour it checks`,
      });
      continue;
    }
    violations.push({
      file,
      problem: `mirrors no source: neither ${subject}.ts nor ${subject}/ exists, and ${folder}/ is not a package or top-level folder`,
    });
  }
  return violations.sort((a, b) => a.file.localeCompare(b.file));
}
