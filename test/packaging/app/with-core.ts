// The same app as plain.ts with kramers imported (and not used): it must not change a single bit of the run.
import './seed.js';
import '@kramers/core';
import '@kramers/hvp-estimator';
import { fitSeeded } from './fit-seeded.js';

await fitSeeded();
