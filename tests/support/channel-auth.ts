import { createHash, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, listenOnLoopback } from './loopback';
import { TestBot } from './test-bot';
import { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { ServiceClientCredentials } from 'botframework-connector';

export const testBotId = '9a1b2c3d-1111-2222-3333-444455556666';
export const testIssuer = 'https://api.botframework.com';

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

/**
 * Stands in for the Bot Framework's token service on loopback: an OpenID metadata document and a
 * JWKS whose key is endorsed for the msteams channel, and a signer for tokens with that key (or
 * another one, to try what must fail).
 */
export class ChannelAuthority {
  private server: http.Server | undefined;
  readonly keyId = 'test-key-1';
  readonly unendorsedKeyId = 'test-key-2';
  private readonly key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly unendorsed = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

  get metadataUrl(): string {
    return `${this.base}/v1/.well-known/openidconfiguration`;
  }

  private get base(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/v1/.well-known/openidconfiguration')) {
        res.end(JSON.stringify({ issuer: testIssuer, jwks_uri: `${this.base}/v1/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
      } else if (req.url?.startsWith('/v1/keys')) {
        res.end(JSON.stringify({ keys: [this.jwk(this.key.publicKey, this.keyId, ['msteams']), this.jwk(this.unendorsed.publicKey, this.unendorsedKeyId, ['webchat'])] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await listenOnLoopback(this.server);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  /** The ConfigurationBotFrameworkAuthentication settings that point the adapter at this authority. */
  authenticationOverrides(): Record<string, string | boolean> {
    return {
      ToBotFromChannelOpenIdMetadataUrl: this.metadataUrl,
      ToBotFromChannelTokenIssuer: testIssuer,
      ToBotFromEmulatorOpenIdMetadataUrl: this.metadataUrl,
      ToChannelFromBotLoginUrl: `${this.base}/login`,
      ToChannelFromBotOAuthScope: 'https://api.botframework.com',
      OAuthUrl: `${this.base}/oauth`,
      CallerId: 'urn:botframework:azure',
      ValidateAuthority: false,
    };
  }

  /** A channel token; every claim and the header can be overridden to build a bad one. */
  token(options: { claims?: Record<string, unknown>; header?: Record<string, unknown>; key?: KeyObject | 'hs256' | 'none'; serviceUrl: string }): string {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: testIssuer, aud: testBotId, serviceurl: options.serviceUrl, iat: now - 10, nbf: now - 10, exp: now + 3600, ...options.claims };
    const alg = options.key === 'hs256' ? 'HS256' : options.key === 'none' ? 'none' : 'RS256';
    const header = { alg, typ: 'JWT', kid: this.keyId, ...options.header };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    if (options.key === 'none') return `${signingInput}.`;
    if (options.key === 'hs256') return `${signingInput}.${base64url(createHmac('sha256', 'shared-secret').update(signingInput).digest())}`;
    const key = options.key ?? (header.kid === this.unendorsedKeyId ? this.unendorsed.privateKey : this.key.privateKey);
    return `${signingInput}.${base64url(sign('RSA-SHA256', Buffer.from(signingInput), key))}`;
  }

  private jwk(publicKey: KeyObject, kid: string, endorsements: string[]): Record<string, unknown> {
    const jwk = publicKey.export({ format: 'jwk' });
    return { ...jwk, kid, use: 'sig', alg: 'RS256', endorsements, x5t: base64url(createHash('sha1').update(kid).digest()) };
  }
}

/** Outbound credentials for tests: the bot's own app id is valid; nothing is signed (the fake connector needs no token). */
export class TestCredentialsFactory extends ServiceClientCredentialsFactory {
  isValidAppId(appId = ''): Promise<boolean> {
    return Promise.resolve(appId === testBotId);
  }

  isAuthenticationDisabled(): Promise<boolean> {
    return Promise.resolve(false);
  }

  createCredentials(): Promise<ServiceClientCredentials> {
    return Promise.resolve({ signRequest: (request: unknown) => Promise.resolve(request) } as unknown as ServiceClientCredentials);
  }
}

/** The real bot with channel authentication on, trusting only this authority's tokens. */
export function startAuthenticatedBot(authority: ChannelAuthority): Promise<TestBot> {
  return TestBot.start({
    env: { BOT_ID: testBotId, BOT_PASSWORD: 'not-used-offline' },
    authenticationOverrides: authority.authenticationOverrides(),
    credentialsFactory: new TestCredentialsFactory(),
  });
}
