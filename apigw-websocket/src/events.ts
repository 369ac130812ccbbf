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

export interface HttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

export function jsonResult(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
