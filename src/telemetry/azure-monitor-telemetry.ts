import { shutdownMicrosoftOpenTelemetry, useMicrosoftOpenTelemetry } from '@microsoft/opentelemetry';
import type { IncomingMessage } from 'node:http';
import { context, metrics, trace, type Attributes } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import type { Logger } from '../domain/logger';
import { ObservedLogger } from './observed-logger';
import { withoutQueryStrings } from './without-query-strings';
import type { BusinessEvent, BusinessEvents } from './business-events';
import type { Telemetry } from './telemetry';

export interface AzureMonitorSettings {
  readonly connectionString: string;
}

const scope = 'tam-assistant';

/**
 * Starts OpenTelemetry with Microsoft's distro, exporting to the Application Insights resource the
 * connection string names: incoming requests (restify over node:http); as dependencies, node:http
 * clients (the Cosmos SDK's requests), Azure SDK spans, and `fetch` (undici: the Bot Connector
 * client), which the distro does not instrument by itself. Must run before restify and
 * @azure/cosmos are loaded.
 */
export function startAzureMonitorTelemetry(settings: AzureMonitorSettings): Telemetry {
  // The cloud role name where the platform names none (on App Service its detector names the site).
  process.env.OTEL_SERVICE_NAME ??= scope;
  const off = { enabled: false };
  const http = {
    enabled: true,
    // The embedded Cosmos server of a local run listens in this process too: its requests are the
    // store's dependencies already, not requests to the bot.
    ignoreIncomingRequestHook: (request: IncomingMessage) => /azure-cosmos-js/.test(request.headers['user-agent'] ?? ''),
  };
  useMicrosoftOpenTelemetry({
    azureMonitor: { azureMonitorExporterOptions: { connectionString: settings.connectionString } },
    instrumentationOptions: {
      http,
      azureSdk: { enabled: true },
      // Nothing here uses these libraries; the GenAI ones would look for packages we do not have.
      mongoDb: off,
      mySql: off,
      postgreSql: off,
      redis: off,
      redis4: off,
      bunyan: off,
      winston: off,
      console: off,
      openaiAgents: off,
      langchain: off,
    },
    spanProcessors: [withoutQueryStrings],
  });

  const meter = metrics.getMeter(scope);
  const turnDuration = meter.createHistogram('tam.turn.duration', { unit: 'ms', description: 'Time from a turn starting to its last answer, by kind (command, verb, ...) and name.' });
  const eventLogger = logs.getLogger(scope);

  const events: BusinessEvents = {
    record: (event: BusinessEvent) => {
      const { name, ...fields } = event;
      // A log record with this attribute is a custom event in Application Insights (customEvents).
      eventLogger.emit({ severityNumber: SeverityNumber.INFO, attributes: { 'microsoft.custom_event.name': name, ...fields }, context: context.active() });
    },
  };

  const observe = (logger: Logger): Logger => new ObservedLogger(logger, {
    turnDone: (fields) => {
      const kind = typeof fields.kind === 'string' ? fields.kind : 'unknown';
      const attributes: Attributes = { 'tam.turn.kind': kind, ...(typeof fields.name === 'string' ? { 'tam.turn.name': fields.name } : {}) };
      if (typeof fields.durationInMs === 'number') turnDuration.record(fields.durationInMs, attributes);
      trace.getActiveSpan()?.setAttributes(attributes);
    },
    failure: (level, event, error) => {
      eventLogger.emit({
        severityNumber: level === 'error' ? SeverityNumber.ERROR : SeverityNumber.WARN,
        attributes: {
          'exception.type': error.name,
          'exception.message': error.message,
          'exception.stacktrace': error.stack ?? `${error.name}: ${error.message}`,
          'tam.log.event': event,
        },
        context: context.active(),
      });
    },
  });

  return {
    events,
    observe,
    traceId: () => {
      const id = trace.getActiveSpan()?.spanContext().traceId;
      return id && !/^0+$/.test(id) ? id : undefined;
    },
    flush: async () => {
      await Promise.all([forceFlush(delegateOf(trace.getTracerProvider())), forceFlush(metrics.getMeterProvider()), forceFlush(logs.getLoggerProvider())]);
    },
    shutdown: () => shutdownMicrosoftOpenTelemetry(),
  };
}

function delegateOf(provider: unknown): unknown {
  const proxy = provider as { getDelegate?: () => unknown };
  return typeof proxy.getDelegate === 'function' ? proxy.getDelegate() : provider;
}

async function forceFlush(provider: unknown): Promise<void> {
  const flushable = provider as { forceFlush?: () => Promise<unknown> };
  if (typeof flushable.forceFlush === 'function') await flushable.forceFlush();
}
