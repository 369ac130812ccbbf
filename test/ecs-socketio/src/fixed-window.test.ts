import { describe, expect, it } from 'vitest';
import { createWindowCounter, WINDOW_MS } from '../../../ecs-socketio/src/fixed-window.js';

describe('createWindowCounter', () => {
  it('counts within a window and starts again when the window has passed', () => {
    const counter = createWindowCounter();
    const counts = [
      counter.take(0),
      counter.take(10),
      counter.take(WINDOW_MS - 1),
      counter.take(WINDOW_MS + 10),
    ];
    expect(counts).toEqual([1, 2, 3, 1]);
  });
});
