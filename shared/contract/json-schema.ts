import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { notificationSchema } from './envelope.js';
import { clientFrameSchema, serverFrameSchema } from './protocol.js';

/** The checked-in JSON Schema for non-TypeScript consumers; a test keeps it in step with zod. */
export const JSON_SCHEMA_PATH = new URL('./syncbell.schema.json', import.meta.url);

export function buildJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://syncbell.dev/schema/v1/syncbell.schema.json',
    title: 'syncbell contract v1',
    description: 'Generated from shared/contract (zod) by `syncbell schema`. Do not edit by hand.',
    $defs: {
      Notification: z.toJSONSchema(notificationSchema),
      ClientFrame: z.toJSONSchema(clientFrameSchema),
      ServerFrame: z.toJSONSchema(serverFrameSchema),
    },
  };
}

export async function runSchema(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' } } });
  const text = `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
  if (values.out) await writeFile(values.out, text);
  else await writeFile(JSON_SCHEMA_PATH, text);
  return 0;
}
