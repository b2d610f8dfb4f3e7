import { catchStopSignals } from '../compare/signals.js';

/** Resolves at the first SIGINT or SIGTERM (Ctrl-C): the page stays up until then. */
export function waitForStop(): Promise<void> {
  return new Promise<void>((resolve) => {
    const uncatch = catchStopSignals(
      () => {
        uncatch();
        resolve();
      },
      () => resolve(),
    );
  });
}
