import { z } from 'zod';

/** An environment variable holding a comma-separated list: entries trimmed, empty ones dropped. @default [] */
export const commaListSchema = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  );
