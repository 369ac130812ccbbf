import type { StorageLike } from '../../shared/client/index.js';

/** A JWT-shaped token with these claims (the SDK reads claims unverified; no signature needed). */
export const jwtFor = (claims: Record<string, unknown>): string =>
  `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

/** A Web Storage stand-in over a Map, so a test can look at what was stored. */
export class MapStorage implements StorageLike {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}
