/**
 * A REAL OpenID provider (oidc-provider) on loopback, for the SSO tests of the API
 * (src/api/auth/oidc.int.test.ts) and of the console in Chromium (test/e2e/console/sso.test.ts):
 * discovery, authorization code + PKCE + state + nonce, signed ID tokens, UserInfo. Its login step is a
 * custom interaction that signs in the account the test chose with the `amr` the test chose (none when
 * undefined; no password form to drive); consent is pre-granted, as an enterprise IdP does for a
 * first-party client. The IdP listens before Ecoute exists (Ecoute's configuration names the issuer) and
 * registers Ecoute's redirect URL when the test knows it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** The claims of an account (`sub` is its id); UserInfo serves them all. */
export type IdpAccount = Readonly<Record<string, unknown>>;

export interface IdpOptions {
  readonly accounts: Readonly<Record<string, IdpAccount>>;
  readonly clientSecret?: string;
  /** Told every UserInfo response body the provider served. */
  readonly onUserinfo?: (body: string) => void;
}

export interface Idp {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Who the next login step signs in, and the `amr` it asserts (RFC 8176). */
  next: { account: string; amr: readonly string[] | undefined };
  /** How many times the login step ran (a browser that really went through the IdP). */
  readonly logins: number;
  /** Starts the provider with Ecoute's callback as the client's only redirect URI. */
  register(redirectUri: string): void;
  close(): Promise<void>;
}

export async function startIdp({ accounts, clientSecret: secret, onUserinfo }: IdpOptions): Promise<Idp> {
  let handler = (_req: IncomingMessage, res: ServerResponse): void => void res.writeHead(503).end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'ecoute';
  const clientSecret = secret ?? randomBytes(24).toString('hex');
  let logins = 0;

  const idp: Idp = {
    issuer,
    clientId,
    clientSecret,
    next: { account: '', amr: ['pwd'] },
    get logins() {
      return logins;
    },
    register(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        // amr is an ID token claim (OpenID Connect Core §2); oidc-provider fills it from the login step.
        claims: { openid: ['sub', 'amr'], profile: ['preferred_username', 'name'], groups: ['groups'] },
        scopes: ['openid', 'profile', 'groups'],
        findAccount: (_ctx: unknown, id: string) => {
          const a = accounts[id];
          return a ? { accountId: id, claims: () => ({ sub: id, ...a }) } : undefined;
        },
        interactions: { url: (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
        loadExistingGrant: async (ctx: {
          oidc: { client: { clientId: string }; session: { accountId: string } };
        }) => {
          const grant = new provider.Grant({
            clientId: ctx.oidc.client.clientId,
            accountId: ctx.oidc.session.accountId,
          });
          grant.addOIDCScope('openid profile groups');
          await grant.save();
          return grant;
        },
        features: { devInteractions: { enabled: false } },
        cookies: { keys: [randomBytes(16).toString('hex')] },
      });
      const oidcHandler = provider.callback();
      handler = (req, res) => {
        if (onUserinfo && req.url?.startsWith('/me')) {
          const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
          res.end = ((chunk?: unknown) => {
            if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) onUserinfo(chunk.toString());
            return end(chunk);
          }) as typeof res.end;
        }
        if (!req.url?.startsWith('/interaction/')) return void oidcHandler(req, res);
        logins += 1;
        const { account, amr } = idp.next;
        void provider
          .interactionFinished(req, res, { login: { accountId: account, ...(amr && { amr: [...amr] }) } })
          .catch(() => res.writeHead(500).end());
      };
    },
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
  return idp;
}
