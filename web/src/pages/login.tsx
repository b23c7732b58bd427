import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { t } from '../i18n/index.ts';
import { Field, ErrorNotice, Page } from '../components/ui.tsx';
import { announce, meFrom, type Me } from '../session.ts';

/** A refusal that asks for the second factor (R-SEC-1), whatever the exact code the API picked. */
function needsTotp(e: unknown): boolean {
  return e instanceof ApiError && /TOTP/i.test(e.code ?? '') && !/INVALID|WRONG|REPLAY/i.test(e.code ?? '');
}

export function LoginPage(props: { onLoggedIn: (me: Me) => void }): JSX.Element {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [step, setStep] = useState<'password' | 'totp'>('password');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const totpRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (step === 'totp') totpRef.current?.focus();
  }, [step]);

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
        <form class="card form" onSubmit={(e) => void submit(e)} aria-describedby="login-legal">
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
            <Field label={t('auth.totp')} id="totp" hint={t('auth.totpHint')}>
              <input
                id="totp"
                ref={totpRef}
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                maxLength={6}
                required
                aria-describedby="totp-hint"
                value={totp}
                onInput={(e) => setTotp(e.currentTarget.value)}
              />
            </Field>
          ) : null}
          {error ? <ErrorNotice error={error} /> : null}
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {step === 'totp' ? t('auth.verify') : t('auth.submit')}
          </button>
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

/** R-SEC-1: roles that hear audio enrol an authenticator before anything else. */
export function EnrolTotpPage(props: { onDone: () => void }): JSX.Element {
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
      await api('POST', '/api/auth/totp/confirm', { code });
      announce(t('enrol.done'));
      props.onDone();
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
          <Field label={t('enrol.code')} id="enrol-code">
            <input
              id="enrol-code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              value={code}
              onInput={(e) => setCode(e.currentTarget.value)}
            />
          </Field>
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
