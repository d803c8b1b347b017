/**
 * Timers longer than Node's limit: `setTimeout` takes at most 2^31 - 1 ms (about 24.8 days) and fires
 * after 1 ms for anything longer, so a long `--timeout` would end a run at once.
 *
 * @module
 */

/** The longest delay `setTimeout` honours. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A cancellable timer of any length (chained `setTimeout`s); `Infinity` never fires. */
export function setLongTimeout(callback: () => void, ms: number): { cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const arm = (left: number) => {
    if (cancelled || left === Infinity) return;
    timer = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : callback()), Math.min(Math.max(left, 0), MAX_TIMER_MS));
  };
  arm(ms);
  return {
    cancel() {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}
