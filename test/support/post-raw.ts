import { request as httpRequest } from 'node:http';

/**
 * A POST with headers exactly as given (an array is sent as that many header lines, which `fetch`
 * would join into one): how a table of `Authorization` headers reaches a live server.
 */
export function postRaw(
  url: string,
  headers: Record<string, string | string[]>,
  body: string,
): Promise<{ status: number; body: { code?: string } & Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, body: text === '' ? {} : JSON.parse(text) });
      });
    });
    request.end(body);
  });
}
