/**
 * @kramers/sgn-collector: stochastic gradient noise. At a fixed θ (the probe context): per-example gradients (one
 * pass for dense layers, a loop for anything else) or sampled minibatch gradients, and from them the minibatch
 * noise covariance C = Σ/B along chosen directions and in trace, its fit against H/B along the Hessian's
 * eigenvectors, Gaussianity per direction vs pooled across parameters, and the gradient noise scale; during
 * training, the `sgn` plugin.
 */
export {};
