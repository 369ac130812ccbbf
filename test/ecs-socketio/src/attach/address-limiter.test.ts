import { describe, expect, it } from 'vitest';
import { clientAddress, createAddressLimiter } from '../../../../ecs-socketio/src/attach/address-limiter.js';

describe('clientAddress', () => {
  const headers = { 'x-forwarded-for': '6.6.6.6, 10.0.0.1 , 203.0.113.7' };

  it('takes the rightmost X-Forwarded-For hop (the load balancer’s) when trusting the proxy', () => {
    expect(clientAddress(headers, '10.0.0.2', true)).toBe('203.0.113.7');
  });

  it('takes the peer when not trusting the proxy, whatever the client wrote', () => {
    expect(clientAddress(headers, '10.0.0.2', false)).toBe('10.0.0.2');
  });

  it('falls back to the peer when there is no header', () => {
    expect(clientAddress({}, '10.0.0.2', true)).toBe('10.0.0.2');
    expect(clientAddress(undefined, '10.0.0.2', true)).toBe('10.0.0.2');
  });
});

describe('createAddressLimiter', () => {
  it('refuses past the limit per address, and accepts again after a release', () => {
    const limiter = createAddressLimiter(2);
    const taken = [limiter.acquire('a'), limiter.acquire('a'), limiter.acquire('a'), limiter.acquire('b')];
    limiter.release('a');
    expect([...taken, limiter.acquire('a')]).toEqual([true, true, false, true, true]);
  });

  it('forgets an address with no connection left', () => {
    const limiter = createAddressLimiter(1);
    limiter.acquire('a');
    limiter.release('a');
    limiter.release('a');
    expect(limiter.count('a')).toBe(0);
  });
});
