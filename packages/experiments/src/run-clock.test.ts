import { describe, expect, it } from 'vitest';
import { runClock } from './run-clock.js';

describe('runClock', () => {
  it("counts only the time inside its own steps, the running one included, and survives a step that throws", async () => {
    let t = 0;
    const clock = runClock(() => t);
    expect(clock.read()).toBe(0);
    await clock.time(async () => {
      t += 5;
      expect(clock.read()).toBe(5); // mid-step: what a plugin at this step sees
      t += 3;
    });
    t += 100; // another run's step
    expect(clock.read()).toBe(8);
    await expect(
      clock.time(async () => {
        t += 2;
        throw new Error('diverged');
      }),
    ).rejects.toThrow('diverged');
    t += 50;
    expect(clock.read()).toBe(10);
  });
});
