/**
 * Preloaded (`--require`) into a bot process that a test starts. Two things:
 * - nothing leaves this machine: a connection to anything but loopback is sent to a closed
 *   loopback port instead (it fails at once), and its destination is reported. (Microsoft's
 *   OpenTelemetry distro asks the Azure VM metadata service, 169.254.169.254, at start.)
 * - when the process exits, PROBE_REPORT (a file path) receives the modules it had loaded and the
 *   destinations it was kept from.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';

const refused: string[] = [];
// Port 9 (discard) is closed on loopback here: the redirected connection is refused at once.
const closedPort = 9;

function isLoopback(host: string | undefined): boolean {
  if (!host || host === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === '::1' || /^127\./.test(bare) || /^::ffff:127\./.test(bare);
}

// eslint-disable-next-line @typescript-eslint/unbound-method -- it is called with its socket below
const connect = net.Socket.prototype.connect as (this: net.Socket, ...args: unknown[]) => net.Socket;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  const first = args[0];
  const options = (Array.isArray(first) ? first[0] : typeof first === 'object' && first !== null ? first : undefined) as
    | { host?: string; port?: number; path?: string }
    | undefined;
  if (options && !options.path && !isLoopback(options.host)) {
    refused.push(`${options.host}:${options.port}`);
    options.host = '127.0.0.1';
    options.port = closedPort;
  } else if (!options && typeof first === 'number' && typeof args[1] === 'string' && !isLoopback(args[1])) {
    refused.push(`${args[1]}:${first}`);
    args[0] = closedPort;
    args[1] = '127.0.0.1';
  }
  return connect.apply(this, args);
};

const reportPath = process.env.PROBE_REPORT;
if (reportPath) {
  process.on('exit', () => {
    fs.writeFileSync(reportPath, JSON.stringify({ modules: Object.keys(require.cache), refused }));
  });
}
