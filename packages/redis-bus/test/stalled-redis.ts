/**
 * A stand-in for a Redis that has stopped answering (overloaded, paused, a half-open network path): it accepts
 * connections and answers what a client says on connecting (the ready check's INFO, CLIENT SETNAME/SETINFO), then swallows
 * every other command without a reply. It records how many commands it swallowed and their bytes.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface StalledRedis {
  readonly url: string;
  /** Commands received and never answered (names upper-cased). */
  readonly swallowed: string[];
  close(): Promise<void>;
}

/** Parses complete RESP arrays of bulk strings off the front of `buffer`; returns the commands and the rest. */
function parseCommands(buffer: string): { commands: string[][]; rest: string } {
  const commands: string[][] = [];
  let at = 0;
  for (;;) {
    if (buffer[at] !== '*') break;
    const headerEnd = buffer.indexOf('\r\n', at);
    if (headerEnd < 0) break;
    const count = Number(buffer.slice(at + 1, headerEnd));
    let pos = headerEnd + 2;
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      const lenEnd = buffer.indexOf('\r\n', pos);
      if (lenEnd < 0 || buffer[pos] !== '$') return { commands, rest: buffer.slice(at) };
      const len = Number(buffer.slice(pos + 1, lenEnd));
      if (buffer.length < lenEnd + 2 + len + 2) return { commands, rest: buffer.slice(at) };
      args.push(buffer.slice(lenEnd + 2, lenEnd + 2 + len));
      pos = lenEnd + 2 + len + 2;
    }
    commands.push(args);
    at = pos;
  }
  return { commands, rest: buffer.slice(at) };
}

export async function startStalledRedis(): Promise<StalledRedis> {
  const swallowed: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // latin1 keeps one character per byte, so bulk-string lengths can be counted in characters.
    socket.setEncoding('latin1');
    let buffer = '';
    socket.on('data', (chunk: string) => {
      const { commands, rest } = parseCommands(buffer + chunk);
      buffer = rest;
      for (const [name = ''] of commands) {
        const command = name.toUpperCase();
        if (command === 'INFO') {
          const info = '# Server\r\nredis_version:7.0.0\r\nloading:0\r\n';
          socket.write(`$${info.length}\r\n${info}\r\n`);
        } else if (command === 'CLIENT') socket.write('+OK\r\n');
        else swallowed.push(command);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    swallowed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
