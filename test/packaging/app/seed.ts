// Imported first by the seeded apps: makes Math.random (which tfjs's unseeded initialisers, dropout and fit's
// shuffling draw from) a seeded stream, as reproducible apps do, so anything that consumes it at import time shows.
let state = 0x9e3779b9;
Math.random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
