// A tiny static server for the built page: loopback only, GET and HEAD only, and only the files of the page (read
// into memory at start, keyed by exact path, so no request can reach another file). `node serve.mjs [--port N]`
// (npm start builds first), or `startServer()` from a test.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAGE_FILES } from './build.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm' };

const HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  // 'wasm-unsafe-eval' lets tfjs compile its WebAssembly backend; 'unsafe-eval' is for ajv, which @kramers/core uses to
  // check plugin configs and which compiles each JSON Schema into a function. Nothing else is loosened.
  'Content-Security-Policy': "default-src 'none'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Serves `root` (default dist/) on 127.0.0.1:`port` (0: any free port). Resolves to { url, port, close() }. */
export async function startServer({ root = join(here, 'dist'), port = 0 } = {}) {
  const files = new Map();
  for (const name of PAGE_FILES) {
    let body;
    try {
      body = await readFile(join(root, name));
    } catch {
      throw new Error(`serve: ${join(root, name)} is missing; build the page first (npm run build in examples/browser)`);
    }
    files.set(`/${name}`, { type: TYPES[name.slice(name.lastIndexOf('.'))], body });
  }
  files.set('/', files.get('/index.html'));
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const file = files.get(path);
    const status = req.method !== 'GET' && req.method !== 'HEAD' ? 405 : file ? 200 : 404;
    const body = status === 200 ? file.body : Buffer.from(status === 405 ? 'GET or HEAD only\n' : 'not found\n');
    res.writeHead(status, {
      ...HEADERS,
      // tfjs-vis styles its visor with inline <style> elements (glamor): that page alone allows inline styles.
      ...(path === '/tfvis.html' ? { 'Content-Security-Policy': HEADERS['Content-Security-Policy'].replace("style-src 'self'", "style-src 'self' 'unsafe-inline'") } : {}),
      'Content-Type': status === 200 ? file.type : 'text/plain; charset=utf-8',
      'Content-Length': body.length,
      ...(status === 405 ? { Allow: 'GET, HEAD' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((resolve, reject) => {
    server.once('error', (e) => reject(e.code === 'EADDRINUSE' ? new Error(`serve: port ${port} is taken; pass --port with another number (or 0 for any)`) : e));
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = server.address().port;
  return {
    url: `http://127.0.0.1:${actual}/`,
    port: actual,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const port = i === -1 ? 8080 : Number(process.argv[i + 1]);
  if (!(Number.isInteger(port) && port >= 0 && port < 65536)) {
    console.error(`serve: --port must be an integer from 0 to 65535, got ${process.argv[i + 1]}`);
    process.exit(2);
  }
  try {
    const { url } = await startServer({ port });
    console.log(`kramers browser example at ${url} (add ?backend=wasm or ?backend=cpu to choose the backend; Ctrl-C stops)`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
