import { JsonLogger } from '../src/logging/json-logger';
import { startEmbeddedCosmos } from '../src/store/embedded-cosmos';

/** The embedded store as a process of its own (in memory): prints its endpoint, stops on SIGTERM. */
void startEmbeddedCosmos({ logger: new JsonLogger('error', { now: () => new Date() }, () => undefined) }).then((store) => {
  process.stdout.write(`${JSON.stringify({ event: 'store.started', endpoint: store.endpoint })}\n`);
  process.on('SIGTERM', () => {
    void store.close().then(() => process.exit(0));
  });
});
