/** The interrupts a long command finishes cleanly on, and their conventional exit codes (128 + signal number). */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/**
 * Routes SIGINT and SIGTERM to `onFirst` (stop at the next step, write everything, exit), and a second one to
 * `onSecond` (exit now, having flushed what is buffered), in place of Node's immediate exit. Returns the uninstaller.
 * Handlers only run between training steps, which is why the training loop yields.
 */
export function catchStopSignals(onFirst: (signal: StopSignal) => void, onSecond: (signal: StopSignal) => void): () => void {
  let seen = false;
  const handler = (signal: StopSignal): void => {
    if (seen) onSecond(signal);
    else {
      seen = true;
      onFirst(signal);
    }
  };
  const signals = Object.keys(SIGNAL_EXIT_CODES) as StopSignal[];
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
