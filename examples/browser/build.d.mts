// Types of build.mjs (a plain Node script, so `node build.mjs` needs no compile step).
export declare const WASM_FILES: readonly string[];
export declare const PAGE_FILES: readonly string[];
export declare function buildExample(options?: { outdir?: string; minify?: boolean; fromSource?: boolean }): Promise<{ outdir: string; files: readonly string[] }>;
