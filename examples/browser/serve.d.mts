// Types of serve.mjs (a plain Node script, so `node serve.mjs` needs no compile step).
export interface ExampleServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}
export declare function startServer(options?: { root?: string; port?: number }): Promise<ExampleServer>;
