import net from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nothing listens on now (the kernel's pick for port 0, released at once). Another
 * process may take it before the caller binds it; callers that bind it report that as their own start-up error.
 */
export async function freeLocalPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
