// plain.ts with one extra draw from the seeded stream before training: proves the fingerprints notice a single draw.
import './seed.js';
import { fitSeeded } from './fit-seeded.js';

Math.random();
await fitSeeded();
