import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { projectionText, renderMarkdown, warmNote } from '../../../benchmarks/report/markdown.js';
import { resultsSchema } from '../../../benchmarks/results-schema.js';

const QUICK = new URL('../../../benchmarks/results/quick/results.json', import.meta.url);
const quick = async () => resultsSchema.parse(JSON.parse(await readFile(QUICK, 'utf8')));

describe('the report on the emulated API Gateway', () => {
  it('shows the cold starts apart and says every other figure is warm', async () => {
    const results = await quick();
    const api = results.contenders.find((c) => c.id === 'apigw-emulated');
    if (!api) throw new Error('the quick run has no apigw-emulated');
    const withColdStarts = resultsSchema.parse({
      ...results,
      contenders: results.contenders.map((c) =>
        c === api ? { ...c, coldStartsMs: { jobs: 194.16, authorizer: 374.43 } } : c,
      ),
    });
    const note = warmNote(withColdStarts.contenders.find((c) => c.id === 'apigw-emulated') ?? api);
    expect(note).toContain('every figure is warm');
    expect(note).toContain('authorizer 374 ms, jobs 194 ms');
    expect(renderMarkdown(withColdStarts)).toContain(note);
  });

  it('says a run without recorded cold starts predates them', async () => {
    const recorded = await quick();
    // A run from before cold starts were recorded: the same results without the field.
    const results = resultsSchema.parse({
      ...recorded,
      contenders: recorded.contenders.map(({ coldStartsMs: _cold, ...c }) => c),
    });
    const api = results.contenders.find((c) => c.id === 'apigw-emulated');
    if (!api) throw new Error('the quick run has no apigw-emulated');
    expect(warmNote(api)).toContain('did not record cold starts');
    expect(renderMarkdown(results)).toContain(warmNote(api));
  });
});

describe('the scale projection', () => {
  const line = (intercept: number, slopePerContainer: number) => ({
    slopePerContainer,
    at: (n: number) => intercept + slopePerContainer * n,
  });

  it('projects a growing line to 50 containers', () => {
    expect(projectionText(line(0.5, 0.04))).toContain('**projected, not measured**: 2.500 at 50 containers');
  });

  it('projects nothing from a falling line (it would give a negative CPU)', () => {
    const text = projectionText(line(1.5, -0.1765));
    expect(text).toContain('-0.17650 CPU s per 1,000 per added container');
    expect(text).toContain('**projected, not measured**: none');
    expect(text).not.toMatch(/-[\d.]+ at 50 containers/);
  });
});
