const utf8 = new TextDecoder();

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
    // atob gives one char per byte; the payload is UTF-8 (a `sub` may be any Unicode string). A
    // plain loop and one decoder: read twice per connect, this showed in a 5,000-client process's
    // CPU profile with Uint8Array.from's per-char callback and a decoder made per call.
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    const json = utf8.decode(bytes);
    const claims: unknown = JSON.parse(json);
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
