import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import GithubSlugger from 'github-slugger';
import { type Token, type Tokens, lexer, walkTokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { DOC_FILES, readDoc } from '../support/readme.js';

// The README points and the guides hold the rest (issue 23, item 11): the README stays short,
// every relative link of README.md and docs/*.md lands on a file (and on a heading, for an
// anchor), and every `ts` example of them is run by a test or says why it is not.
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const MAX_README_LINES = 350;
/** The other hand-written markdown the README links to: held to their links too. */
const OTHER_DOCS = [
  'nestjs/README.md',
  'examples/nestjs-calendar-sync/README.md',
  'benchmarks/README.md',
  'benchmarks/results/README.md',
];

/** How a test under test/ runs a marked example, by marker kind: what its source holds. */
const RUNNERS: Record<string, (name: string, source: string) => boolean> = {
  'readme-example': (name, source) => source.includes(`readmeExample('${name}'`),
  // test/infra/user-app.test.ts reads every deploy-example block and lists their names.
  'deploy-example': (name, source) => source.includes('<!-- deploy-example:') && source.includes(`'${name}'`),
};
/** `<!-- example-not-run: why -->` before a block: shown for reading only, with the reason. */
const NOT_RUN = /^<!-- example-not-run: (\S.*) -->$/;
const MARKER = /^<!-- ([\w-]+):([\w-]+) -->$/;
const TS = ['ts', 'typescript', 'tsx'];

/** Every link and image target of a markdown text (code blocks and code spans excluded). */
function linksOf(text: string): string[] {
  const hrefs: string[] = [];
  walkTokens(lexer(text), (token) => {
    if (token.type === 'link' || token.type === 'image') hrefs.push((token as Tokens.Link).href);
  });
  return hrefs;
}

/** The anchors GitHub gives a markdown file's headings (github-slugger is GitHub's own rule). */
function anchorsOf(path: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  walkTokens(lexer(readFileSync(path, 'utf8')), (token) => {
    if (token.type === 'heading') anchors.add(slugger.slug((token as Tokens.Heading).text));
  });
  return anchors;
}

/** Each relative link of `file` (its `text`) that does not resolve: a missing file, or heading. */
function brokenLinks(file: string, text = readDoc(file)): string[] {
  return linksOf(text).flatMap((href) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return []; // https:, mailto: ...
    const [path = '', anchor] = href.split('#');
    const target = path === '' ? join(repoRoot, file) : resolve(repoRoot, dirname(file), decodeURI(path));
    if (!existsSync(target)) return [`${href} (no ${relative(repoRoot, target)})`];
    if (anchor === undefined || !target.endsWith('.md') || statSync(target).isDirectory()) return [];
    return anchorsOf(target).has(decodeURIComponent(anchor)) ? [] : [`${href} (no heading #${anchor})`];
  });
}

/** Each `ts` block of a markdown text with the HTML comment right before it (if any). */
function tsBlocks(text: string): { marker: string | undefined; first: string }[] {
  const tokens = lexer(text).filter((token: Token) => token.type !== 'space');
  return tokens.flatMap((token, i) => {
    if (token.type !== 'code' || !TS.includes((token as Tokens.Code).lang ?? '')) return [];
    const before = tokens[i - 1];
    const marker = before?.type === 'html' ? before.raw.trim() : undefined;
    return [{ marker, first: (token as Tokens.Code).text.split('\n')[0] ?? '' }];
  });
}

/** The `ts` blocks of `file` (its `text`) that no test in `tests` runs and none says why. */
function unrunExamples(file: string, tests: string[], text = readDoc(file)): string[] {
  return tsBlocks(text).flatMap(({ marker, first }) => {
    const where = `${file}: the block starting "${first}"`;
    if (marker && NOT_RUN.test(marker)) return [];
    const [, kind = '', name = ''] = (marker ?? '').match(MARKER) ?? [];
    const runner = RUNNERS[kind];
    if (!runner)
      return [`${where} has no example marker (${Object.keys(RUNNERS).join(', ')}) or example-not-run`];
    return tests.some((source) => runner(name, source))
      ? []
      : [`${where} (${kind}:${name}) is run by no test`];
  });
}

const testSources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? testSources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [readFileSync(join(dir, entry.name), 'utf8')]
        : [],
  );

describe('README.md and the guides in docs/', () => {
  it(`README.md is at most ${MAX_README_LINES} lines: it points, the guides hold the rest`, () => {
    expect(readDoc('README.md').split('\n').length).toBeLessThanOrEqual(MAX_README_LINES);
  });

  it.each([...DOC_FILES, ...OTHER_DOCS])('every relative link of %s resolves, anchors included', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it('finds a missing file and a missing heading, and passes what exists (the check can fail)', () => {
    const text = [
      '[gone](NOPE.md) [no heading](COST.md#no-such-heading) [ok](COST.md#prices) [self](#the-model)',
      '`[in code](NOPE.md)` and ![image](images/cost-map.svg) [web](https://example.com/x)',
    ].join('\n');
    expect(brokenLinks('docs/COST.md', text)).toEqual([
      'NOPE.md (no docs/NOPE.md)',
      'COST.md#no-such-heading (no heading #no-such-heading)',
    ]);
  });

  it('every ts example is run by a test, or says why it is not', () => {
    const tests = testSources(join(repoRoot, 'test'));
    expect(DOC_FILES.flatMap((file) => unrunExamples(file, tests))).toEqual([]);
  });

  it('finds an example no test runs and one without a marker (the check can fail)', () => {
    const text = [
      '<!-- readme-example:ran -->',
      '```ts',
      'ran();',
      '```',
      '<!-- readme-example:orphan -->',
      '```ts',
      'orphan();',
      '```',
      '```ts',
      'unmarked();',
      '```',
      '<!-- example-not-run: a fragment of the one above -->',
      '```ts',
      'fragment();',
      '```',
    ].join('\n');
    expect(unrunExamples('docs/X.md', ["readmeExample('ran')"], text)).toEqual([
      'docs/X.md: the block starting "orphan();" (readme-example:orphan) is run by no test',
      'docs/X.md: the block starting "unmarked();" has no example marker (readme-example, deploy-example) or example-not-run',
    ]);
  });
});
