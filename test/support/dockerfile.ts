import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { listWorkspaces } from '../../cli/pack.js';
import { repoPath } from '../../infra/lib/paths.js';

/**
 * There is no Docker engine here, so no image is built in CI. Instead a Dockerfile is checked
 * statically, its build stage is run for real in a scratch directory (each COPY from the context
 * its ignore file lets through, in order, then each RUN: the install and the bundling), and the
 * output is started outside the repository, where no node_modules can help it.
 */

export interface Instruction {
  keyword: string;
  args: string;
}

/** A Dockerfile read for its instructions (continuations joined, comments dropped), split by stage. */
export interface ParsedDockerfile {
  text: string;
  stages: Instruction[][];
  build: Instruction[];
  runtime: Instruction[];
  /** The context's ignore rules that apply to this Dockerfile, in order. */
  ignoreRules: string[];
}

export function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/**
 * `dockerfile` and `ignoreFile` relative to the repository root (the build context). The ignore
 * file is the Dockerfile's own `<Dockerfile>.dockerignore` when there is one (BuildKit reads it
 * instead of the context's .dockerignore), else the root .dockerignore.
 */
export function parseDockerfile(dockerfile: string): ParsedDockerfile {
  const text = readFileSync(repoPath(dockerfile), 'utf8');
  const stages = instructions(text).reduce<Instruction[][]>((acc, step) => {
    if (step.keyword === 'FROM') acc.push([]);
    acc.at(-1)?.push(step);
    return acc;
  }, []);
  const ownIgnore = `${dockerfile}.dockerignore`;
  const ignoreRules = readFileSync(
    repoPath(existsSync(repoPath(ownIgnore)) ? ownIgnore : '.dockerignore'),
    'utf8',
  )
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return { text, stages, build: stages[0] ?? [], runtime: stages.at(-1) ?? [], ignoreRules };
}

export const find = (stage: Instruction[], keyword: string) => stage.filter((s) => s.keyword === keyword);

/** The context paths a stage's COPY instructions read (not `--from` ones), in order. */
export const copySources = (stage: Instruction[]) =>
  stage
    .filter((s) => s.keyword === 'COPY' && !s.args.includes('--from='))
    .flatMap((s) => s.args.split(/\s+/).slice(0, -1));

/**
 * Whether the ignore rules keep `path` (relative to the context) out: the rules in order, the last
 * one matching the path or a folder above it wins. Enough of Docker's syntax for these files (`*`,
 * `**`, `!`, trailing `/`); Docker's own matcher is Go code with no npm port.
 */
export function dockerIgnores(rules: string[], path: string): boolean {
  let ignored = false;
  for (const rule of rules) {
    const negated = rule.startsWith('!');
    const pattern = (negated ? rule.slice(1) : rule).replace(/\/$/, '');
    const source = pattern
      .split('**/')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
      .join('(.*/)?');
    if (new RegExp(`^${source}(/|$)`).test(path)) ignored = !negated;
  }
  return ignored;
}

/** The `exec` form of the runtime stage's HEALTHCHECK, e.g. `['node', '-e', '...']`. */
export function healthcheckCommand(parsed: ParsedDockerfile): string[] {
  const healthcheck = find(parsed.runtime, 'HEALTHCHECK').at(-1)?.args ?? '';
  return JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim()) as string[];
}

/**
 * The checks every image of this repository passes: Node 22, build and runtime stages, the
 * unprivileged user, tini as PID 1, `cmd` as the default command, a HEALTHCHECK on `healthPath`,
 * only context files the ignore file lets in, and every workspace's package.json before `npm ci`.
 */
export function itFollowsTheImageRules(
  parsed: ParsedDockerfile,
  expected: { cmd: string[]; healthPath: string; expose: string },
): void {
  const { stages, build, runtime, text, ignoreRules } = parsed;

  it('builds in one stage and runs from a second, on Node 22', () => {
    expect(stages).toHaveLength(2);
    expect(text).toMatch(/ARG NODE_IMAGE=node:22-[a-z]+-slim/);
    expect(find(runtime, 'COPY').every((c) => c.args.includes('--from=build'))).toBe(true);
  });

  it('runs as the unprivileged node user', () => {
    expect(find(runtime, 'USER').at(-1)?.args).toBe('node');
  });

  it('starts under tini so SIGTERM reaches node and the shutdown runs', () => {
    expect(JSON.parse(find(runtime, 'ENTRYPOINT').at(-1)?.args ?? '[]')).toEqual(['/usr/bin/tini', '--']);
    expect(find(runtime, 'RUN').some((r) => r.args.includes('install') && r.args.includes('tini'))).toBe(
      true,
    );
  });

  it('defaults to the command the task definition uses, exposes its port and has a health check', () => {
    expect(JSON.parse(find(runtime, 'CMD').at(-1)?.args ?? '[]')).toEqual(expected.cmd);
    expect(find(runtime, 'EXPOSE').at(-1)?.args.split(/\s+/)).toContain(expected.expose);
    expect(find(runtime, 'HEALTHCHECK').at(-1)?.args).toContain(expected.healthPath);
  });

  it('copies only what its ignore file lets into the build context', () => {
    const sources = copySources(build);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(dockerIgnores(ignoreRules, source.replace(/\/$/, '')), source).toBe(false);
      expect(existsSync(repoPath(source)), source).toBe(true);
    }
  });

  it("installs with every workspace's package.json in place (npm ci links only the workspaces it finds)", () => {
    const install = build.findIndex((s) => s.keyword === 'RUN' && /\bnpm ci\b/.test(s.args));
    expect(install).toBeGreaterThan(0);
    const copiedBefore = copySources(build.slice(0, install));
    for (const { dir } of listWorkspaces()) expect(copiedBefore, dir).toContain(`${dir}/package.json`);
  });
}

/**
 * COPY `source` (relative to the context) to `target` (absolute) as Docker does: a folder's
 * contents into `target`, a file into `target` when it ends with `/`, else as `target`; minus
 * what the ignore rules drop.
 */
function copyFromContext(rules: string[], source: string, target: string): void {
  const folder = statSync(repoPath(source)).isDirectory();
  const files = folder
    ? readdirSync(repoPath(source), { recursive: true, encoding: 'utf8' }).map((file) => join(source, file))
    : [source];
  for (const file of files) {
    if (dockerIgnores(rules, file) || statSync(repoPath(file)).isDirectory()) continue;
    const destination = folder
      ? join(target, relative(source, file))
      : target.endsWith('/')
        ? join(target, basename(file))
        : target;
    mkdirSync(dirname(destination), { recursive: true });
    cpSync(repoPath(file), destination);
  }
}

/**
 * Runs the build stage in a new scratch directory (its WORKDIR /app) and returns it: each COPY
 * from the context, each RUN with a shell, offline (npm's cache has what the lockfile names).
 * Then copy what the runtime stage takes `--from=build` out of it.
 */
export async function runBuildStage(parsed: ParsedDockerfile): Promise<string> {
  const context = mkdtempSync(join(tmpdir(), 'syncbell-image-'));
  for (const step of parsed.build) {
    if (step.keyword === 'COPY') {
      const words = step.args.split(/\s+/);
      const target = words.at(-1) as string;
      for (const source of words.slice(0, -1)) {
        copyFromContext(
          parsed.ignoreRules,
          source,
          `${join(context, target)}${target.endsWith('/') ? '/' : ''}`,
        );
      }
    } else if (step.keyword === 'RUN') {
      await promisify(execFile)('sh', ['-c', step.args], {
        cwd: context,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          // The cache `npm ci` filled, wherever this machine keeps it.
          ...(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {}),
          npm_config_offline: 'true',
        },
        timeout: 120_000,
      }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`RUN ${step.args}\n${error.message}\n${error.stdout}\n${error.stderr}`);
      });
    }
  }
  return context;
}

/**
 * Starts the built output with plain node in `cwd` (no node_modules above it) without
 * JWT_SECRET in production, and answers how it ended: syncbell must refuse to start.
 */
export async function startWithoutJwtSecret(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stderr: string }> {
  return promisify(execFile)(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env },
    timeout: 20_000,
  }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => error,
  );
}
