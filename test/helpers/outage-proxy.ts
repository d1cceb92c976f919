import net from 'node:net';

/**
 * A TCP relay in front of the sandbox's API port that can play the API being down: `down()` cuts every
 * relayed connection and from then on accepts and drops each new one at once, the way a client meets a
 * listener that is gone; `up()` relays again. `attempts` counts every connection tried, relayed or not.
 */
export async function startOutageProxy(targetPort: number) {
  const live = new Set<net.Socket>();
  let isDown = false;
  let attempts = 0;
  const server = net.createServer((client) => {
    attempts += 1;
    if (isDown) return void client.destroy();
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      live.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        live.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    get attempts() {
      return attempts;
    },
    down(): void {
      isDown = true;
      for (const socket of live) socket.destroy();
    },
    up(): void {
      isDown = false;
    },
    stop: () => new Promise<void>((resolve) => {
      for (const socket of live) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
