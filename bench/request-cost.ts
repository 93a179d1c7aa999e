import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { createCosmosClient } from '../src/store/cosmos-client';
import { ensureContainers } from '../src/store/containers';

export interface RequestCost {
  /** CPU of this process a request (µs), the store being another process. */
  readonly sdkReadUs: number;
  readonly sdkMissUs: number;
  readonly plainGetUs: number;
  readonly requests: number;
}

/**
 * What one point read costs the process that makes it: through the app's Cosmos client (the SDK
 * over the same HTTP client the app uses), found and not found, and as a bare keep-alive GET of
 * the same document with Node's HTTP client. One request at a time, the store in a process of
 * its own, so the CPU counted here is the client's alone.
 */
export async function measureRequestCost(requests = 10_000): Promise<RequestCost> {
  const root = path.join(__dirname, '..');
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'bench/store-main.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const found = /"endpoint":"([^"]+)"/.exec(output);
        if (found?.[1]) resolve(found[1]);
      });
      child.once('exit', (code) => reject(new Error(`the store process stopped (${code}) before it started`)));
    });
    const client = createCosmosClient({ endpoint, embedded: true });
    const { containers } = await ensureContainers(client, 'request-cost');
    const body = { id: 'account', accountId: 'contoso', type: 'account', name: 'Contoso', notes: 'x'.repeat(1_500) };
    await containers.accounts.items.upsert(body);
    const found = async (): Promise<void> => {
      const { statusCode } = await containers.accounts.item('account', 'contoso').read();
      if (statusCode !== 200) throw new Error(`point read answered ${statusCode}`);
    };
    const missing = async (): Promise<void> => {
      const { statusCode } = await containers.accounts.item('no-such-document', 'contoso').read();
      if (statusCode !== 404) throw new Error(`point read of a missing document answered ${statusCode}`);
    };
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const url = new URL(endpoint);
    const plain = (): Promise<void> =>
      new Promise((resolve, reject) => {
        const req = http.request(
          {
            host: url.hostname,
            port: url.port,
            agent,
            method: 'GET',
            path: '/dbs/request-cost/colls/accounts/docs/account',
            headers: { 'x-ms-version': '2020-07-15', 'x-ms-date': new Date().toUTCString(), 'x-ms-documentdb-partitionkey': '["contoso"]', authorization: 'type%3Dmaster%26ver%3D1.0%26sig%3Dembedded' },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              if (res.statusCode !== 200) reject(new Error(`plain GET answered ${res.statusCode}`));
              else resolve(void JSON.parse(Buffer.concat(chunks).toString('utf8')));
            });
          },
        );
        req.on('error', reject);
        req.end();
      });
    const cpuPer = async (one: () => Promise<void>): Promise<number> => {
      for (let i = 0; i < 2_000; i++) await one();
      const before = process.cpuUsage();
      for (let i = 0; i < requests; i++) await one();
      const used = process.cpuUsage(before);
      return (used.user + used.system) / requests;
    };
    const plainGetUs = await cpuPer(plain);
    const sdkReadUs = await cpuPer(found);
    const sdkMissUs = await cpuPer(missing);
    agent.destroy();
    client.dispose();
    return { sdkReadUs, sdkMissUs, plainGetUs, requests };
  } finally {
    child.kill('SIGTERM');
  }
}
