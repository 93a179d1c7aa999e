import { startEchoBot } from './echo-bot';

/** The floor as its own process, like the app: prints its URL, stops on SIGTERM. */
void startEchoBot().then((bot) => {
  process.stdout.write(`${JSON.stringify({ event: 'echo.started', url: bot.url })}\n`);
  process.on('SIGTERM', () => {
    void bot.close().then(() => process.exit(0));
  });
});
