import type { DeliveryResult } from '../domain/ports';

interface ConnectorError {
  statusCode?: number;
  code?: string;
  message?: string;
  response?: { headers?: { get?: (name: string) => string | undefined } | Record<string, string | undefined> };
}

function retryAfterInMs(error: ConnectorError): number | undefined {
  const headers = error.response?.headers;
  const raw =
    headers && typeof (headers as { get?: unknown }).get === 'function'
      ? (headers as { get: (name: string) => string | undefined }).get('retry-after')
      : (headers as Record<string, string | undefined> | undefined)?.['retry-after'];
  if (!raw) return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : undefined;
}

/**
 * What a failed send to the Bot Connector means for the message: 403 (bot removed from the
 * conversation) and 404 (conversation not found) mean the target is gone; anything else
 * (429, 5xx, network) is worth retrying, after Retry-After when Teams gives one.
 */
export function classifyDeliveryError(error: unknown): DeliveryResult {
  const e = (error ?? {}) as ConnectorError;
  const status = e.statusCode;
  if (status === 403 || status === 404) {
    return { status: 'gone', reason: `${status} ${e.code ?? (status === 403 ? 'BotNotInConversationRoster' : 'ConversationNotFound')}` };
  }
  const after = retryAfterInMs(e);
  return { status: 'retry', error: `${status ?? 'network'} ${e.message ?? ''}`.trim().slice(0, 300), ...(after !== undefined ? { retryAfterInMs: after } : {}) };
}
