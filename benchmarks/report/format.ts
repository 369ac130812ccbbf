import type { ContenderResult } from '../results-schema.js';

/** The report's number, contender-name and failure formats (report.md and its sections). */
export const fmt = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);

export const name = (c: ContenderResult) =>
  c.emulated
    ? `${c.id} (emulated)`
    : c.baseline
      ? `${c.id} (baseline)`
      : c.reference
        ? `${c.id} (reference)`
        : c.id;

export const err = (o: { ok: boolean; error?: string }) =>
  `failed: ${(o as { error: string }).error.slice(0, 80)}`;
