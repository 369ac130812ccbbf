import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listWorkspaces, REPO_ROOT } from './pack.js';
import { checkTestLayout } from './test-layout.js';

/**
 * `syncbell boundaries`: runs dependency-cruiser with the repository's rules
 * (.dependency-cruiser.cjs) over every workspace folder of `root` (the root `workspaces` field,
 * so a new package is checked as soon as it is listed there).
 */

export interface BoundaryViolation {
  rule: string;
  from: string;
  to: string;
}

export async function checkBoundaries(root = REPO_ROOT): Promise<BoundaryViolation[]> {
  const dirs = listWorkspaces(root).map(({ dir }) => dir);
  const args = ['--config', join(REPO_ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json', ...dirs];
  // depcruise exits non-zero when it finds violations; its JSON report is on stdout either way.
  const { stdout } = await promisify(execFile)(join(REPO_ROOT, 'node_modules/.bin/depcruise'), args, {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    if (!error.stdout) throw new Error(`depcruise failed: ${error.stderr ?? error.message}`);
    return { stdout: error.stdout };
  });
  const report = JSON.parse(stdout) as {
    summary: { violations: { rule: { name: string }; from: string; to: string }[] };
  };
  return report.summary.violations.map(({ rule, from, to }) => ({ rule: rule.name, from, to }));
}

export async function runBoundaries(): Promise<number> {
  const violations = await checkBoundaries();
  for (const { rule, from, to } of violations) process.stderr.write(`${rule}: ${from} → ${to}\n`);
  process.stdout.write(
    violations.length === 0 ? 'package boundaries: no violations\n' : `${violations.length} violation(s)\n`,
  );
  // Where tests sit is a boundary of the same kind: checked here so `npm run lint` catches it.
  const misplaced = checkTestLayout();
  for (const { file, problem } of misplaced) process.stderr.write(`test-layout: ${file}: ${problem}\n`);
  process.stdout.write(
    misplaced.length === 0
      ? 'test layout (test/README.md): no violations\n'
      : `${misplaced.length} test file(s) out of place (test/README.md)\n`,
  );
  return violations.length === 0 && misplaced.length === 0 ? 0 : 1;
}
