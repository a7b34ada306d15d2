import { createServer } from 'node:net';

// Temporal stores the services' ports in smallint columns (cluster_membership): a port of 32768 or more breaks the
// membership ring. The OS's ephemeral range starts at 32768, so these ports are chosen here, not by listen(0).
const HIGHEST = 32_767;
const LOWEST = 20_000;

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive loopback ports that were free a moment ago, all below 32768: from `base` when given (an
 * operator's choice; an error if one is taken), else from a random place in 20000–32767.
 */
export async function freePortBlock(count: number, base?: number): Promise<number[]> {
  const block = (start: number): number[] => Array.from({ length: count }, (_, index) => start + index);
  if (base !== undefined) {
    if (base < 1024 || base + count - 1 > HIGHEST)
      throw new Error(`ports ${base}–${base + count - 1} must lie in 1024–${HIGHEST}`);
    for (const port of block(base)) if (!(await isFree(port))) throw new Error(`port ${port} is in use`);
    return block(base);
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const start = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST - count));
    const ports = block(start);
    let free = true;
    for (const port of ports) if (!(await isFree(port))) free = false;
    if (free) return ports;
  }
  throw new Error(`no ${count} free consecutive ports below ${HIGHEST + 1}`);
}
