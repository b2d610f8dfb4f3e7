import { InvalidArgumentError } from 'commander';

/** `--top-k`: how many Hessian directions, a positive integer, or `all` for every eigenpair. */
export type TopK = number | 'all';

export function topKFlag(flag: string) {
  return (raw: string): TopK => {
    if (raw === 'all') return 'all';
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive integer or "all", got "${raw}".`);
    return n;
  };
}
