/**
 * The one place the current time is read. Everything that schedules takes a Clock so tests
 * can run it at any instant (DST changes, month ends, leap days) without sleeping.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** A clock for tests: starts at `start` (ms or ISO string) and moves only when told. */
export function manualClock(start: number | string): Clock & { set(t: number | string): void; advance(ms: number): void } {
  let now = typeof start === "string" ? Date.parse(start) : start;
  const clock = (() => now) as Clock & { set(t: number | string): void; advance(ms: number): void };
  clock.set = (t) => {
    now = typeof t === "string" ? Date.parse(t) : t;
  };
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}
