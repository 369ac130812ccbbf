import { describe, expect, it } from 'vitest';
import { createConnectPacer } from '../../../../ecs-socketio/src/attach/connect-pacer.js';

describe('createConnectPacer', () => {
  it('lets maxPerSecond connects through a window and sends the rest to later windows, with jitter', () => {
    const pacer = createConnectPacer(2, () => 0.5);
    expect(pacer.refuse(1000)).toBeUndefined();
    expect(pacer.refuse(1100)).toBeUndefined();
    // The 3rd and 4th: the rest of this window (900 ms) and half a window of jitter.
    expect(pacer.refuse(1100)).toBe(900 + 500);
    expect(pacer.refuse(1100)).toBe(900 + 500);
    // The 5th and 6th go one window further.
    expect(pacer.refuse(1100)).toBe(900 + 1000 + 500);
    expect(pacer.refuse(1200)).toBe(800 + 1000 + 500);
  });

  it('starts afresh in the next window', () => {
    const pacer = createConnectPacer(1, () => 0);
    expect(pacer.refuse(0)).toBeUndefined();
    expect(pacer.refuse(10)).toBe(990);
    expect(pacer.refuse(1000)).toBeUndefined();
  });
});
