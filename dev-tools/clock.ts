/**
 * How much shorter than a timer's delay the gap between two `Date.now()` stamps taken around it can
 * read when the timer waited its whole delay. Node starts and fires timers on libuv's
 * whole-millisecond loop clock (`uv_now`), so a 1,000 ms timer can end after 999.x ms of real time,
 * and two whole-millisecond stamps around it then read 999 (seen in a storms run and in
 * test/ecs-socketio/stop-order.test.ts on a fast machine). A check that a wait lasted at least its
 * delay allows this much and no more: a wait cut short by a bug, or a client looping faster than its
 * floor, reads far shorter.
 */
export const STAMP_RESOLUTION_MS = 1;
