import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { notificationSchema } from '../shared/contract/envelope.js';
import { receivedNotificationSchema } from '../shared/contract/evolution.js';
import {
  clientFrameSchema,
  receivedServerFrameSchema,
  serverFrameSchema,
} from '../shared/contract/protocol.js';

/** The checked-in JSON Schema for non-TypeScript consumers; a test keeps it in step with zod. */
export const JSON_SCHEMA_PATH = new URL('../shared/contract/syncbell.schema.json', import.meta.url);

export function buildJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://syncbell.dev/schema/v1/syncbell.schema.json',
    title: 'syncbell contract v1',
    description:
      'Generated from shared/contract (zod) by `syncbell schema`. Do not edit by hand. Notification and ServerFrame are what servers of this version send; a reader validates with ReceivedNotification and ReceivedServerFrame, which a newer server still satisfies (unknown types and fields are passed on: see "Evolving the contract" in docs/CONTRACT.md).',
    $defs: {
      Notification: z.toJSONSchema(notificationSchema),
      ReceivedNotification: z.toJSONSchema(receivedNotificationSchema),
      ClientFrame: z.toJSONSchema(clientFrameSchema),
      ServerFrame: z.toJSONSchema(serverFrameSchema),
      ReceivedServerFrame: z.toJSONSchema(receivedServerFrameSchema),
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
