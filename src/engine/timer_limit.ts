// The longest wait one timer can hold: setTimeout takes a signed 32-bit delay (about 24.8 days); a
// longer one fires at once, with a TimeoutOverflowWarning. Waits longer than this are re-armed.

/** 2³¹ − 1 ms. */
export const maxTimerMs = 2 ** 31 - 1;

/** `ms` as a timer can take it: 0 ≤ result ≤ maxTimerMs; the caller re-arms when it fires early. */
export const timerMs = (ms: number): number => Math.min(maxTimerMs, Math.max(0, ms));

/**
 * Runs `fn` once `performance.now()` reaches `deadline`, however far ahead it lies (re-arming past
 * the timer's limit). Returns a function that cancels it.
 */
export const atDeadline = (deadline: number, fn: () => void): () => void => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    const left = deadline - performance.now();
    if (left <= 0) {
      timer = undefined;
      fn();
    } else timer = setTimeout(arm, timerMs(left));
  };
  timer = setTimeout(arm, timerMs(deadline - performance.now()));
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
};
