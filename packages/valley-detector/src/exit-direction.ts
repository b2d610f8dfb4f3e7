/** Which way a replica left, as the rule that fired sees it. */
export type ExitDirection = BoxExit | BallExit | ValleyExit;

/** Left the box through the face of `coordinate` on the `sign` side. */
export interface BoxExit {
  readonly kind: 'box';
  readonly coordinate: number;
  readonly sign: 1 | -1;
  /** The valley exit pointing that way (index into valley.exits), or null without a valley or when none does. */
  readonly exit: number | null;
}

/** Left the ball; `unit` is the displacement from θ_start normalised, `coordinate` its largest component. */
export interface BallExit {
  readonly kind: 'ball';
  readonly coordinate: number;
  readonly sign: 1 | -1;
  readonly unit: Float64Array;
  /** The valley exit with the largest positive projection on `unit`, or null without a valley or when none has one. */
  readonly exit: number | null;
}

/** Crossed the threshold of valley exit `exit`; `coordinate` and `sign` are that exit direction's largest component. */
export interface ValleyExit {
  readonly kind: 'col' | 'midway';
  readonly exit: number;
  readonly coordinate: number;
  readonly sign: 1 | -1;
}
