import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { inboundGate } from '../../../../ecs-socketio/src/attach/frame-budget.js';
import { WINDOW_MS } from '../../../../ecs-socketio/src/fixed-window.js';
import { ErrorCode } from '../../../../shared/contract/index.js';

describe('inboundGate', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  function gate(handled: string[] = ['resume']) {
    const refused: string[] = [];
    const sent: unknown[] = [];
    const socket = {
      listenerCount: (event: string) => (handled.includes(event) ? 1 : 0),
      emit: (_event: string, body: unknown) => sent.push(body),
    };
    const middleware = inboundGate({ maxFramesPerSecond: 2, onRefused: (code) => refused.push(code) })(
      socket,
    );
    const send = (...packet: unknown[]) => {
      let passed = false;
      middleware(packet, () => {
        passed = true;
      });
      return passed;
    };
    return { send, refused, sent };
  }

  it('passes handled events, the app’s included', () => {
    const { send } = gate(['resume', 'chat']);
    expect([send('resume', {}), send('chat', 'hi')]).toEqual([true, true]);
  });

  it('answers an event nobody handles with unknown_action, on its ack when it has one', () => {
    const { send, sent } = gate();
    const ack = vi.fn();
    expect(send('nope', ack)).toBe(false);
    send('nope');
    expect(ack).toHaveBeenCalledWith(expect.objectContaining({ code: ErrorCode.UnknownAction }));
    expect(sent).toEqual([expect.objectContaining({ code: ErrorCode.UnknownAction })]);
  });

  it('never passes a frame naming one of socket.io’s own events, even with a listener', () => {
    const { send, sent } = gate(['disconnect']);
    expect(send('disconnect')).toBe(false);
    expect(sent).toEqual([expect.objectContaining({ code: ErrorCode.UnknownAction })]);
  });

  it('answers a room request forbidden', () => {
    const { send, sent } = gate();
    send('join', 'room:someone-else');
    expect(sent).toEqual([expect.objectContaining({ code: ErrorCode.Forbidden })]);
  });

  it('refuses frames over the budget with one error frame per window, and accepts again in the next window', () => {
    const { send, sent, refused } = gate();
    const passed = [send('resume'), send('resume'), send('resume'), send('resume')];
    vi.advanceTimersByTime(WINDOW_MS);
    passed.push(send('resume'));
    expect(passed).toEqual([true, true, false, false, true]);
    expect(sent).toEqual([expect.objectContaining({ code: ErrorCode.RateLimited })]);
    expect(refused).toEqual([ErrorCode.RateLimited, ErrorCode.RateLimited]);
  });
});
