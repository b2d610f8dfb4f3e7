import './seed.js';
import { fitSeeded } from './fit-seeded.js';

await fitSeeded();
