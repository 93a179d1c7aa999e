import * as http from 'node:http';

/** Starts a server on a free loopback port. */
export async function listenOnLoopback(server: http.Server): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
}

/** Closes a server and the connections kept alive to it; nothing when there is none. */
export async function closeServer(server: http.Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Passes a request on to `target` unchanged and its answer back, as a transparent proxy. */
export function forwardRequest(target: URL, agent: http.Agent, req: http.IncomingMessage, res: http.ServerResponse): void {
  const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}
