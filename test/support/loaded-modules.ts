import { spawnSync } from 'node:child_process';

/**
 * Which of `packages` a fresh Node process loads when it imports `entry` (run under tsx, from the
 * repository, so `@syncbell/*` names resolve to their sources). A resolve hook (`registerHooks`,
 * Node's in-thread hooks, which see `import` and `require` alike) records every specifier and the
 * file it resolved to: a package counts as loaded when it was imported by name or a file of its
 * `node_modules` folder was. `require.cache` alone misses what an ES module imports directly.
 */
export function packagesLoadedBy(entry: string, packages: readonly string[]): string[] {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = [];
    registerHooks({
      resolve(specifier, context, next) {
        const resolved = next(specifier, context);
        seen.push(specifier, resolved.url);
        return resolved;
      },
    });
    await import(${JSON.stringify(entry)});
    const packages = ${JSON.stringify(packages)}.filter((name) =>
      seen.some((seen) => seen === name || seen.startsWith(name + '/') || seen.includes('/node_modules/' + name + '/')));
    console.log(JSON.stringify(packages));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: process.cwd(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`import ${entry} failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '[]') as string[];
}
