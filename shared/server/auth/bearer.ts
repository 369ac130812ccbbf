/**
 * `<scheme> 1*SP <token68>` (RFC 7235 section 2.1; a bearer token is a token68, RFC 6750 section
 * 2.1). The scheme name is case-insensitive, so `bearer` and `BEARER` are `Bearer`. Hand-written:
 * one regular expression, where the header-parsing packages on npm are unmaintained or framework
 * middleware.
 */
const BEARER_CREDENTIALS = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The token of an `Authorization: Bearer <token>` header, on every route of both variants;
 * undefined for anything else: no header, another scheme, an empty or malformed token, or two
 * `Authorization` headers. `Authorization` is not a list header, so a request may carry it once
 * (RFC 9110 section 5.3); which of two credentials the caller meant is not ours to guess. Node
 * gives every line in `headersDistinct` (an array here); API Gateway's HTTP API (payload 2.0)
 * joins repeats with commas, which a token68 never contains, so the joined value matches nothing.
 */
export function bearerToken(header: string | readonly string[] | null | undefined): string | undefined {
  if (header === undefined || header === null) return undefined;
  if (typeof header !== 'string') return header.length === 1 ? bearerToken(header[0]) : undefined;
  return BEARER_CREDENTIALS.exec(header.trim())?.[1];
}
/** True when the header names the Bearer scheme at all (whatever follows it): an end user's credential. */
export function isBearerScheme(header: string | readonly string[] | null | undefined): boolean {
  const values =
    header === undefined || header === null ? [] : typeof header === 'string' ? [header] : header;
  return values.some((value) => /^Bearer(\s|$)/i.test(value.trim()));
}
