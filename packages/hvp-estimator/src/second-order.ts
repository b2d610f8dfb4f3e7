/**
 * Stock tfjs 4.22 double backprop is silently wrong wherever a kernel saves its output (tanh, sigmoid, softmax, exp,
 * elu, pow: notes/tfjs-internals.md §B.1–B.2), and nothing at run time can tell. The fix, core's gradient registry,
 * is process-wide (§B.5), so installing it is the user's explicit act: curvature code refuses to run without it
 * rather than install it behind their back.
 */
import { secondOrderGradientsInstalled } from '@kramers/core';

/** Throws a message naming the fix when `installSecondOrderGradients()` is not in effect. */
export function assertSecondOrderGradients(where: string): void {
  if (secondOrderGradientsInstalled()) return;
  throw new Error(
    `${where}: second-order gradients are not installed, so double-backprop Hessian-vector products would be ` +
      'silently wrong for tanh, sigmoid, softmax, exp, elu and pow. Call installSecondOrderGradients() from ' +
      "'@kramers/core' once before training (and the uninstall function it returns afterwards), or choose " +
      "hvp: 'finite-difference' (wrong by O(1) across ReLU kinks).",
  );
}
