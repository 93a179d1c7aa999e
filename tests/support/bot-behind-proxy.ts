import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/store/embedded-cosmos';
import { JsonLogger } from '../../src/logging/json-logger';
import { ManualClock } from './manual-clock';
import { TestBot, type TestBotOptions } from './test-bot';

/** Something on loopback between the app and its store: it sees (or changes) every request. */
export interface StoreProxy {
  readonly endpoint: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The embedded store, a proxy in front of it and the bot talking to the store through the proxy. */
export async function botBehindProxy<P extends StoreProxy>(
  proxyFor: (storeEndpoint: string) => P,
  options: Omit<TestBotOptions, 'embeddedCosmosEndpoint'> = {},
): Promise<{ store: EmbeddedCosmos; proxy: P; bot: TestBot; close: () => Promise<void> }> {
  const store = await startEmbeddedCosmos({ logger: new JsonLogger('error', new ManualClock(), () => undefined) });
  const proxy = proxyFor(store.endpoint);
  await proxy.start();
  const bot = await TestBot.start({ ...options, embeddedCosmosEndpoint: proxy.endpoint });
  return {
    store,
    proxy,
    bot,
    close: async () => {
      await bot.close();
      await proxy.stop();
      await store.close();
    },
  };
}
