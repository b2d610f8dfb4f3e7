import type { CompareResult } from '@kramers/experiments';

/** What both compare documents (`--json` and `--report`) state about the comparison as a whole, in this order. */
export function resultFacts(result: CompareResult) {
  return {
    task: result.task,
    loss: result.loss,
    dataset: result.dataset,
    model: result.model,
    probeRows: result.probeRows,
    stepsPerEpoch: result.stepsPerEpoch,
  };
}
