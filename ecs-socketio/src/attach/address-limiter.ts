import type { IncomingHttpHeaders } from 'node:http';

/**
 * The client address of a request. With `trustProxy`, the rightmost X-Forwarded-For hop: the one
 * the load balancer in front appended (anything left of it the client wrote). Without, the peer.
 */
export function clientAddress(
  headers: IncomingHttpHeaders | undefined,
  peer: string,
  trustProxy: boolean,
): string {
  if (!trustProxy) return peer;
  const forwarded = headers?.['x-forwarded-for'];
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  return hops.at(-1) ?? peer;
}

export interface AddressLimiter {
  /** Counts one more connection from `address`; false (and nothing counted) when it holds `max` already. */
  acquire(address: string): boolean;
  /** Releases one connection `acquire` counted. */
  release(address: string): void;
  /** Open connections counted for `address`. */
  count(address: string): number;
}

/**
 * Open connections per client address, refused past `max`: a flood from one address is turned
 * away before it costs a token check. Hand-written (a Map of counters): the rate-limit libraries
 * count requests per time window, this counts connections open right now.
 */
export function createAddressLimiter(max: number): AddressLimiter {
  const open = new Map<string, number>();
  return {
    acquire(address) {
      const held = open.get(address) ?? 0;
      if (held >= max) return false;
      open.set(address, held + 1);
      return true;
    },
    release(address) {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    },
    count: (address) => open.get(address) ?? 0,
  };
}
