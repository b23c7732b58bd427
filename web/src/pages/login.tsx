import type { JSX, Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { t, tMaybe } from '../i18n/index.ts';
import { Badge, Field, ErrorNotice, Page } from '../components/ui.tsx';
import { useLocation } from '../router.ts';
import { announce, meFrom, type Me } from '../session.ts';

/** A refusal that asks for the second factor (R-SEC-1), whatever the exact code the API picked. */
function needsTotp(e: unknown): boolean {
  return e instanceof ApiError && /TOTP/i.test(e.code ?? '') && !/INVALID|WRONG|REPLAY/i.test(e.code ?? '');
}

/** `GET /api/auth/providers`: `oidc` only when the server has SSO configured. */
interface Providers {
  readonly password?: boolean;
  readonly oidc?: { readonly loginUrl: string };
}

/**
 * Where the API sends the browser when an SSO login is refused (src/api/auth/oidc.routes.ts):
 * `/login?error=<code>[&rule=<rule id>]`. Only the code and the rule id travel in the URL.
 */
export const LOGIN_PATH = '/login';

/**
 * The page an SSO login set out from. The IdP's round trip ends on `/` (the API's callback redirects
 * there); the console then goes back to it. Kept in sessionStorage (this tab), for as long as the API
 * keeps the SSO attempt open (10 minutes, OIDC_FLOW_COOKIE), and only as a console path.
 */
const RETURN_KEY = 'ecoute.ssoReturn';
const RETURN_TTL_MS = 10 * 60_000;
const consolePath = (p: unknown): p is string =>
  typeof p === 'string' && /^\/(?![/\\])/.test(p) && !p.startsWith('/api/');

function rememberReturn(): void {
  const path = `${window.location.pathname}${window.location.search}`;
  // An SSO login retried from /login, where a refused one left the browser, keeps the page the first
  // attempt set out from (if still remembered) as the one to go back to.
  if (window.location.pathname === LOGIN_PATH) return;
  try {
    if (path !== '/' && consolePath(path))
      window.sessionStorage.setItem(RETURN_KEY, JSON.stringify({ path, at: Date.now() }));
    else window.sessionStorage.removeItem(RETURN_KEY);
  } catch {
    // storage refused: the SSO login lands on the home page
  }
}

/** The path to go back to after an SSO login, once (undefined when none or too old). */
export function takeSsoReturn(): string | undefined {
  try {
    const raw = window.sessionStorage.getItem(RETURN_KEY);
    window.sessionStorage.removeItem(RETURN_KEY);
    const v = raw ? (JSON.parse(raw) as { path?: unknown; at?: unknown }) : undefined;
    const fresh = typeof v?.at === 'number' && Date.now() - v.at < RETURN_TTL_MS;
    return fresh && consolePath(v.path) ? v.path : undefined;
  } catch {
    return undefined;
  }
}

const CODE = /^ECOUTE_[A-Z0-9]+_[A-Z0-9_]+$/;
const RULE = /^R-[A-Z]+-\d+$/;

/** The refusal named in the login page's URL, when it is well formed (anything else is ignored). */
export function ssoRefusal(query: URLSearchParams): { code: string; rule: string | undefined } | undefined {
  const code = query.get('error') ?? '';
  const rule = query.get('rule') ?? '';
  return CODE.test(code) ? { code, rule: RULE.test(rule) ? rule : undefined } : undefined;
}

/** A refused SSO login: the code with its message in the user's language, and its rule id if any. */
function SsoRefused(props: { code: string; rule: string | undefined }): JSX.Element {
  return (
    <div class="notice notice-danger" role="alert" data-testid="sso-error">
      <strong>{t('auth.ssoRefused')}</strong> {props.rule ? <Badge tone="danger">{props.rule}</Badge> : null}{' '}
      <code>{props.code}</code>
      <p>{tMaybe(`err.${props.code}`, t('auth.ssoRefusedOther'))}</p>
    </div>
  );
}

/** The SSO button, when the server offers SSO; `data-providers` says the answer has arrived. */
function SsoLogin(props: { providers: Providers | undefined | null }): JSX.Element | null {
  const url = props.providers?.oidc?.loginUrl;
  // Only the API's own SSO route: a link the login page builds never leaves for another origin itself.
  if (!url?.startsWith('/api/auth/')) return null;
  // A full navigation: the browser leaves for the IdP (onLinkClick leaves /api/ links to the browser).
  return (
    <div class="login-sso">
      <span class="muted small">{t('auth.or')}</span>
      <a class="btn" href={url} data-testid="sso-login" onClick={rememberReturn}>
        {t('auth.sso')}
      </a>
    </div>
  );
}

/** A 6-digit TOTP code field (login, enrolment, verification); `hint`: the authenticator-app hint below it. */
function CodeField(props: {
  id: string;
  label: string;
  hint?: boolean;
  inputRef?: Ref<HTMLInputElement>;
  value: string;
  onInput: (value: string) => void;
}): JSX.Element {
  return (
    <Field label={props.label} id={props.id} {...(props.hint ? { hint: t('auth.totpHint') } : {})}>
      <input
        id={props.id}
        ref={props.inputRef}
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9]{6}"
        maxLength={6}
        required
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </Field>
  );
}

export function LoginPage(props: { onLoggedIn: (me: Me) => void }): JSX.Element {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [step, setStep] = useState<'password' | 'totp'>('password');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  // null: not known yet; undefined: the server does not say (an older API), so password only.
  const [providers, setProviders] = useState<Providers | undefined | null>(null);
  const totpRef = useRef<HTMLInputElement>(null);
  const loc = useLocation();
  const refused = loc.path === LOGIN_PATH ? ssoRefusal(loc.query) : undefined;

  useEffect(() => {
    if (step === 'totp') totpRef.current?.focus();
  }, [step]);
  useEffect(() => {
    api<Providers>('GET', '/api/auth/providers').then(setProviders, () => setProviders(undefined));
  }, []);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = step === 'totp' ? { login, password, totp } : { login, password };
      const r = await api<{ totpRequired?: boolean }>('POST', '/api/auth/login', body);
      if (r?.totpRequired && step === 'password') {
        setStep('totp');
        announce(t('auth.totpPrompt'));
        return;
      }
      const me = meFrom(r) ?? meFrom(await api<unknown>('GET', '/api/auth/me'));
      if (me) props.onLoggedIn(me);
    } catch (err) {
      if (step === 'password' && needsTotp(err)) {
        setStep('totp');
        announce(t('auth.totpPrompt'));
      } else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="login-wrap">
      <Page title={t('auth.title')} intro={t('auth.intro')}>
        <form
          class="card form"
          onSubmit={(e) => void submit(e)}
          aria-describedby="login-legal"
          data-providers={providers === null ? 'loading' : 'known'}
        >
          {refused && !error ? <SsoRefused code={refused.code} rule={refused.rule} /> : null}
          <Field label={t('auth.login')} id="login">
            <input
              id="login"
              name="username"
              autoComplete="username"
              required
              value={login}
              onInput={(e) => setLogin(e.currentTarget.value)}
              readOnly={step === 'totp'}
            />
          </Field>
          <Field label={t('auth.password')} id="password">
            <input
              id="password"
              type="password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              readOnly={step === 'totp'}
            />
          </Field>
          {step === 'totp' ? (
            <CodeField
              id="totp"
              label={t('auth.totp')}
              hint
              inputRef={totpRef}
              value={totp}
              onInput={setTotp}
            />
          ) : null}
          {error ? <ErrorNotice error={error} /> : null}
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {step === 'totp' ? t('auth.verify') : t('auth.submit')}
          </button>
          {step === 'password' ? <SsoLogin providers={providers} /> : null}
          <p id="login-legal" class="muted small">
            {t('auth.legal')}
          </p>
        </form>
      </Page>
    </div>
  );
}

interface Enrolment {
  secret: string;
  uri?: string;
  otpauthUri?: string;
  otpauthUrl?: string;
}

/** The account as the API answers a second-factor step (`me`), or as `/api/auth/me` says it after. */
async function meAfter(answer: unknown): Promise<Me | undefined> {
  return meFrom(answer) ?? meFrom(await api<unknown>('GET', '/api/auth/me'));
}

/** R-SEC-1: roles that hear audio enrol an authenticator before anything else. */
export function EnrolTotpPage(props: { onDone: (me: Me) => void }): JSX.Element {
  const [enrolment, setEnrolment] = useState<Enrolment | undefined>(undefined);
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    api<Enrolment>('POST', '/api/auth/totp/enrol', {}).then(setEnrolment, setError);
  }, []);

  const confirm = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    try {
      const me = await meAfter(await api<unknown>('POST', '/api/auth/totp/confirm', { code }));
      announce(t('enrol.done'));
      if (me) props.onDone(me);
    } catch (err) {
      setError(err);
    }
  };

  const uri = enrolment?.uri ?? enrolment?.otpauthUri ?? enrolment?.otpauthUrl;
  return (
    <Page title={t('enrol.title')} intro={t('enrol.intro')}>
      {enrolment ? (
        <form class="card form" onSubmit={(e) => void confirm(e)}>
          <dl class="kv">
            <dt>{t('enrol.secret')}</dt>
            <dd>
              <code data-testid="totp-secret" class="secret">
                {enrolment.secret}
              </code>
            </dd>
            <dt>{t('enrol.uri')}</dt>
            <dd>
              <code data-testid="totp-uri" class="wrap">
                {uri}
              </code>
            </dd>
          </dl>
          <CodeField id="enrol-code" label={t('enrol.code')} value={code} onInput={setCode} />
          {error ? <ErrorNotice error={error} /> : null}
          <button type="submit" class="btn btn-primary">
            {t('enrol.confirm')}
          </button>
        </form>
      ) : error ? (
        <ErrorNotice error={error} />
      ) : (
        <p role="status">{t('common.loading')}</p>
      )}
    </Page>
  );
}

/**
 * R-SEC-1: TOTP is enrolled but this session has not proved it (an SSO login whose provider asserted no
 * accepted MFA). The API serves such a session only /api/auth/*, so this step comes before any page;
 * once the code is accepted the console shows the page the user was going to.
 */
export function VerifyTotpPage(props: { onDone: (me: Me) => void }): JSX.Element {
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => input.current?.focus(), []);

  const verify = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const me = await meAfter(await api<unknown>('POST', '/api/auth/totp/verify', { code }));
      announce(t('verify.done'));
      if (me) props.onDone(me);
    } catch (err) {
      // A refused code is spent or wrong: the field is cleared for the next one (ECOUTE_API_TOTP_INVALID,
      // or ECOUTE_API_THROTTLED after repeated failures, shown with its code like any refusal).
      setError(err);
      setCode('');
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="login-wrap">
      <Page title={t('verify.title')} intro={t('verify.intro')}>
        <form class="card form" onSubmit={(e) => void verify(e)}>
          <CodeField
            id="verify-code"
            label={t('auth.totp')}
            hint
            inputRef={input}
            value={code}
            onInput={setCode}
          />
          {error ? <ErrorNotice error={error} /> : null}
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {t('auth.verify')}
          </button>
        </form>
      </Page>
    </div>
  );
}
