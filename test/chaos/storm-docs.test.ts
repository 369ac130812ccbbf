import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  committedStormFigures,
  DEPLOY_DOC,
  renderStormFigures,
  STORM_REPORT,
} from '../../chaos/storm-docs.js';

const report = await readFile(STORM_REPORT, 'utf8');

describe("docs/DEPLOY.md's storm figures", () => {
  it('are the block generated from the committed docs/RELIABILITY-STORMS.md (npx tsx chaos/storm-docs.ts)', async () => {
    expect(committedStormFigures(await readFile(DEPLOY_DOC, 'utf8'))).toBe(renderStormFigures(report));
  });

  it("quote the report's own storm times and goal verdicts", () => {
    const block = renderStormFigures(report);
    const [, p50] = /50 % resumed after (\d+) ms/.exec(report) ?? [];
    expect(block).toContain(`50 % resumed on the survivor after ${(Number(p50) / 1000).toFixed(1)} s`);
    const passed = report.includes('✓ 100 % resumed within 10 s');
    expect(block).toContain(`(goal 10 s: ${passed ? 'met' : 'missed'})`);
  });

  it('refuse a report that lacks a figure, naming it', () => {
    const without = report.replace(/50 % resumed after \d+ ms/, '50 % resumed after ? ms');
    expect(() => renderStormFigures(without)).toThrow(/the storm times/);
    expect(() => renderStormFigures('# empty')).toThrow(/its command/);
  });
});
