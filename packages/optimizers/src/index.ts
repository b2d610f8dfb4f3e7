export type { SgldOptions, NamedTensor } from './sgld.js';
export { SGLD, sgld } from './sgld.js';
export { registerOptimizers } from './register.js';
