/**
 * The `basics` plugin: Cockpit's cheap quantities, per layer and total — loss, gradient norm, update norm
 * ‖θ_{t+1} − θ_t‖, distance from the initial point ‖θ_t − θ_0‖ and parameter norm. Computed in plain JS on the
 * values the host copies once per step (cheap on cpu/wasm, where a read is a memcpy), because a handful of tfjs
 * ops per variable would cost more than a small model's whole training step.
 */
import { every } from './schedule.js';
import { definePlugin, type Plugin } from './plugin.js';

export interface BasicsConfig {
  /** Run every n steps. */
  readonly every: number;
  /**
   * Emit per-layer values besides the totals (default false: on every step they are four more events per layer,
   * which on a 1 ms step costs more than all the totals together; turn them on, or run basics every n steps).
   */
  readonly perLayer: boolean;
}

const schema = {
  type: 'object',
  properties: {
    every: { type: 'integer', minimum: 1, default: 1 },
    perLayer: { type: 'boolean', default: false },
  },
  additionalProperties: false,
} as const;

/** Layer of a variable: the name up to its last '/', e.g. 'dense_Dense1/kernel' → 'dense_Dense1'. */
export function layerOf(variableName: string): string {
  const cut = variableName.lastIndexOf('/');
  return cut < 0 ? variableName : variableName.slice(0, cut);
}

const QUANTITIES = ['grad_norm', 'update_norm', 'distance', 'param_norm'] as const;
const Q = QUANTITIES.length;

export function basics(config: Partial<BasicsConfig> = {}): Plugin<BasicsConfig, void> {
  const n = typeof config.every === 'number' && Number.isInteger(config.every) && config.every >= 1 ? config.every : 1;
  return definePlugin<BasicsConfig>({
    name: 'basics',
    enforce: 'pre',
    configSchema: schema,
    config,
    schedule: every(n),
    needs: ['update'],
    setup(ctx) {
      const initial = new Map<string, Float32Array>();
      // Layers in first-seen order and each variable's layer index, computed once; sums of squares accumulate in
      // one reused array (row 0: the whole model, row 1 + l: layer l), so a step allocates nothing but its events.
      const layers: string[] = [];
      const layerIndex = new Map<string, number>();
      let sums = new Float64Array(Q);
      let seen = new Uint8Array(0);
      const indexOf = (name: string): number => {
        let i = layerIndex.get(name);
        if (i === undefined) {
          const layer = layerOf(name);
          i = layers.indexOf(layer);
          if (i < 0) i = layers.push(layer) - 1;
          layerIndex.set(name, i);
          if (sums.length < Q * (layers.length + 1)) sums = new Float64Array(Q * (layers.length + 1));
        }
        return i;
      };
      return {
        onStep(step) {
          const loss = step.step.loss;
          if (loss !== undefined) step.emit('loss', loss);
          const grads = step.gradientValues();
          const now = step.paramValues();
          const before = step.previousParamValues();
          for (const name of grads.keys()) indexOf(name);
          sums.fill(0);
          if (seen.length !== layers.length) seen = new Uint8Array(layers.length);
          seen.fill(0);
          for (const [name, g] of grads) {
            const theta = now.get(name);
            const prev = before.get(name);
            if (!theta || !prev) continue;
            let start = initial.get(name);
            if (!start) initial.set(name, (start = prev.slice()));
            const row = Q * (1 + layerIndex.get(name)!);
            seen[row / Q - 1] = 1;
            let gg = 0;
            let uu = 0;
            let dd = 0;
            let pp = 0;
            for (let i = 0; i < theta.length; i++) {
              const t = theta[i]!;
              const u = t - prev[i]!;
              const d = t - start[i]!;
              gg += g[i]! * g[i]!;
              uu += u * u;
              dd += d * d;
              pp += t * t;
            }
            sums[row] += gg;
            sums[row + 1] += uu;
            sums[row + 2] += dd;
            sums[row + 3] += pp;
            sums[0] += gg;
            sums[1] += uu;
            sums[2] += dd;
            sums[3] += pp;
          }
          for (let q = 0; q < Q; q++) step.emit(QUANTITIES[q]!, Math.sqrt(sums[q]!));
          if (ctx.config.perLayer) {
            for (let l = 0; l < layers.length; l++) {
              if (!seen[l]) continue;
              const layer = layers[l]!;
              for (let q = 0; q < Q; q++) step.emit(QUANTITIES[q]!, Math.sqrt(sums[Q * (1 + l) + q]!), { layer });
            }
          }
        },
      };
    },
  });
}
