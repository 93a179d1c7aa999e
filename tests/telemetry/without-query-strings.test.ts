import assert from 'node:assert/strict';
import { withoutQueryStrings } from '../../src/telemetry/without-query-strings';

type Started = Parameters<typeof withoutQueryStrings.onStart>[0];

describe('withoutQueryStrings', () => {
  function started(attributes: Record<string, unknown>): { span: Started; attributes: Record<string, unknown> } {
    const span = { attributes, setAttribute: (name: string, value: unknown) => ((attributes[name] = value), span) };
    return { span: span as unknown as Started, attributes };
  }

  it('cuts the query off every URL a span records, before it is exported', () => {
    const { span, attributes } = started({
      'url.full': 'https://example.blob.core.windows.net/reports/r.pdf?sig=secret-signature&se=2026',
      'http.url': 'http://127.0.0.1:3978/reports?token=signed-link-token',
      'http.target': '/reports?token=signed-link-token',
      'url.query': 'token=signed-link-token',
      'url.path': '/reports',
      'http.method': 'GET',
    });
    withoutQueryStrings.onStart(span, {} as Parameters<typeof withoutQueryStrings.onStart>[1]);
    assert.deepEqual(attributes, {
      'url.full': 'https://example.blob.core.windows.net/reports/r.pdf',
      'http.url': 'http://127.0.0.1:3978/reports',
      'http.target': '/reports',
      'url.query': '',
      'url.path': '/reports',
      'http.method': 'GET',
    });
  });

  it('leaves a URL without a query as it is', () => {
    const { span, attributes } = started({ 'url.full': 'http://127.0.0.1:5000/v3/conversations/a%3Apersonal-1/activities' });
    withoutQueryStrings.onStart(span, {} as Parameters<typeof withoutQueryStrings.onStart>[1]);
    assert.equal(attributes['url.full'], 'http://127.0.0.1:5000/v3/conversations/a%3Apersonal-1/activities');
  });
});
