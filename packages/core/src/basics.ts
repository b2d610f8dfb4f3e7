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
  /** Emit per-layer values besides the totals. */
  readonly perLayer: boolean;
}

const schema = {
  type: 'object',
  properties: {
    every: { type: 'integer', minimum: 1, default: 1 },
    perLayer: { type: 'boolean', default: true },
  },
  additionalProperties: false,
} as const;

/** Layer of a variable: the name up to its last '/', e.g. 'dense_Dense1/kernel' → 'dense_Dense1'. */
export function layerOf(variableName: string): string {
  const cut = variableName.lastIndexOf('/');
  return cut < 0 ? variableName : variableName.slice(0, cut);
}

function sumSquares(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return s;
}

function sumSquaredDiff(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s;
}

type Quantity = 'grad_norm' | 'update_norm' | 'distance' | 'param_norm';
const QUANTITIES: readonly Quantity[] = ['grad_norm', 'update_norm', 'distance', 'param_norm'];

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
      return {
        onStep(step) {
          const loss = step.step.loss;
          if (loss !== undefined) step.emit('loss', loss);
          const grads = step.gradientValues();
          const now = step.paramValues();
          const before = step.previousParamValues();
          const perLayer = new Map<string, Record<Quantity, number>>();
          const total: Record<Quantity, number> = { grad_norm: 0, update_norm: 0, distance: 0, param_norm: 0 };
          for (const [name, g] of grads) {
            const theta = now.get(name);
            const prev = before.get(name);
            if (!theta || !prev) continue;
            if (!initial.has(name)) initial.set(name, prev.slice());
            const sq: Record<Quantity, number> = {
              grad_norm: sumSquares(g),
              update_norm: sumSquaredDiff(theta, prev),
              distance: sumSquaredDiff(theta, initial.get(name)!),
              param_norm: sumSquares(theta),
            };
            const layer = layerOf(name);
            const acc = perLayer.get(layer) ?? { grad_norm: 0, update_norm: 0, distance: 0, param_norm: 0 };
            for (const q of QUANTITIES) {
              acc[q] += sq[q];
              total[q] += sq[q];
            }
            perLayer.set(layer, acc);
          }
          for (const q of QUANTITIES) step.emit(q, Math.sqrt(total[q]));
          if (ctx.config.perLayer) {
            for (const [layer, acc] of perLayer) {
              for (const q of QUANTITIES) step.emit(q, Math.sqrt(acc[q]), { layer });
            }
          }
        },
      };
    },
  });
}
