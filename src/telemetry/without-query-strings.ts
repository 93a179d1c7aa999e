import type { MicrosoftOpenTelemetryOptions } from '@microsoft/opentelemetry';

type SpanProcessor = NonNullable<MicrosoftOpenTelemetryOptions['spanProcessors']>[number];
const urlAttributes = ['url.full', 'url.query', 'http.url', 'http.target'];

/**
 * URLs are recorded without their query string: a link's token, a SAS signature or any other
 * parameter stays out of telemetry. (The exporter already leaves the query out of a request's URL;
 * a dependency's URL it sends whole.) Names keep their path.
 */
export const withoutQueryStrings: SpanProcessor = {
  onStart: (span) => {
    for (const name of urlAttributes) {
      const value = span.attributes[name];
      if (typeof value !== 'string') continue;
      if (name === 'url.query') span.setAttribute(name, '');
      else if (value.includes('?')) span.setAttribute(name, value.slice(0, value.indexOf('?')));
    }
  },
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
