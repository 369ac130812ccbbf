import { z } from 'zod';

/**
 * The parts of API Gateway events the handlers read, validated at the edge. Only API Gateway
 * can fill `requestContext.authorizer`, so a `userId` found there came from our authorizer.
 */
const authorizerContextSchema = z
  .object({ userId: z.string().optional() })
  .loose()
  .nullish()
  .transform((value) => value ?? undefined);

export const webSocketEventSchema = z.object({
  requestContext: z
    .object({
      connectionId: z.string().min(1),
      routeKey: z.string().optional(),
      domainName: z.string().optional(),
      stage: z.string().optional(),
      authorizer: authorizerContextSchema,
    })
    .loose(),
  queryStringParameters: z.record(z.string(), z.string().optional()).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().optional(),
});
export type WebSocketEvent = z.infer<typeof webSocketEventSchema>;

export const authorizerEventSchema = z.object({
  type: z.literal('REQUEST'),
  methodArn: z.string().min(1),
  queryStringParameters: z.record(z.string(), z.string().optional()).nullish(),
});

export const httpApiEventSchema = z.object({
  headers: z.record(z.string(), z.string().optional()).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().optional(),
});

/**
 * A request header by name, whatever its case: HTTP API (payload 2.0) lower-cases header names
 * on AWS and joins repeated headers with commas; a local caller's event may keep the case it sent.
 */
export function headerValue(
  headers: Record<string, string | undefined> | null | undefined,
  name: string,
): string | undefined {
  const lower = name.toLowerCase();
  return headers?.[lower] ?? Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === lower)?.[1];
}

export interface HttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

export function jsonResult(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
