/**
 * The claims of the SDK's own JWT, read without verifying it: the client only uses them to explain
 * a refusal (`exp`) and to key what it stores per user (`sub`); the server verifies every token.
 * Hand-written because it is base64url plus JSON.parse: a JWT library would verify, and weigh.
 * Returns undefined for anything that is not a JWT with a JSON object payload (an opaque token).
 */
export function unverifiedClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const binary = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    // atob gives one char per byte; the payload is UTF-8 (a `sub` may be any Unicode string).
    const json = new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
    const claims: unknown = JSON.parse(json);
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
