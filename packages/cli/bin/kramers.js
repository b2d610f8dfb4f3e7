#!/usr/bin/env node
import { main } from '../dist/index.js';

// A reader that goes away (`kramers … | head`, or Ctrl-C reaching `| tee` first) closes our pipe: the text is
// no longer wanted, but the run goes on and writes its files. Without a listener, EPIPE would crash the process.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.message : String(err)); process.exitCode = 1; },
);
