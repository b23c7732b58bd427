import type { ComponentType, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, onUnauthenticated, setCsrfToken } from './api.ts';
import { getLang, setLang, t, tMaybe, type Lang } from './i18n/index.ts';
import { navFor } from './nav.ts';
import { match, navigate, onLinkClick, useLocation } from './router.ts';
import { meFrom, onAnnounce, secondFactorStep, SessionContext, type Me } from './session.ts';
import { LoginPage, EnrolTotpPage, VerifyTotpPage, LOGIN_PATH, takeSsoReturn } from './pages/login.tsx';
import { HomePage } from './pages/home.tsx';
import { RecordingsPage } from './pages/recordings.tsx';
import { RecordingPage } from './pages/recording.tsx';
import { EvaluationsPage } from './pages/listening.tsx';
import { LivePage } from './pages/live.tsx';
import { MyCampaigns, MyEvaluations, MyListeners, MyRecordings } from './pages/agent.tsx';
import { lazyPage } from './lazy.tsx';
import { Page } from './components/ui.tsx';

type Params = Record<string, string>;
const dpo = (name: 'Policies' | 'Staff' | 'Audit' | 'Holds' | 'Requests' | 'Report' | 'Documents') =>
  lazyPage<{ params: Params }>(() => import('./pages/dpo.tsx').then((m) => m[name]));
const admin = (name: 'Users' | 'Teams' | 'Tokens' | 'Webhooks' | 'Integrations') =>
  lazyPage<{ params: Params }>(() => import('./pages/admin.tsx').then((m) => m[name]));

const ROUTES: ReadonlyArray<readonly [string, ComponentType<{ params: Params }>]> = [
  ['/', HomePage],
  ['/recordings', RecordingsPage],
  ['/recordings/:id', RecordingPage],
  ['/live', LivePage],
  ['/evaluations', EvaluationsPage],
  ['/me/campaigns', MyCampaigns],
  ['/me/recordings', MyRecordings],
  ['/me/evaluations', MyEvaluations],
  ['/me/listeners', MyListeners],
  ['/dpo/policies', dpo('Policies')],
  ['/dpo/staff', dpo('Staff')],
  ['/dpo/audit', dpo('Audit')],
  ['/dpo/holds', dpo('Holds')],
  ['/dpo/requests', dpo('Requests')],
  ['/dpo/report', dpo('Report')],
  ['/dpo/documents', dpo('Documents')],
  ['/admin/users', admin('Users')],
  ['/admin/teams', admin('Teams')],
  ['/admin/tokens', admin('Tokens')],
  ['/admin/webhooks', admin('Webhooks')],
  ['/admin/integrations', admin('Integrations')],
];

type Auth = { kind: 'checking' } | { kind: 'anonymous' } | { kind: 'in'; me: Me };

export function App(): JSX.Element {
  const [lang, setLangState] = useState<Lang>(getLang());
  const [auth, setAuth] = useState<Auth>({ kind: 'checking' });
  const loc = useLocation();

  // The session check at load; back from an SSO login (the API's callback lands on `/`), the console
  // returns to the page the login set out from.
  useEffect(() => {
    api<unknown>('GET', '/api/auth/me').then(
      (r) => {
        const me = meFrom(r);
        const back = me ? takeSsoReturn() : undefined;
        if (back) navigate(back, { replace: true });
        setAuth(me ? { kind: 'in', me } : { kind: 'anonymous' });
      },
      () => setAuth({ kind: 'anonymous' }),
    );
  }, []);
  useEffect(() => onUnauthenticated(() => setAuth({ kind: 'anonymous' })), []);
  // A refused SSO login leaves the browser on /login (with the code); once signed in, the console goes
  // to the page the SSO attempt set out from, or home.
  const onLoginPage = auth.kind === 'in' && loc.path === LOGIN_PATH;
  useEffect(() => {
    if (onLoginPage) navigate(takeSsoReturn() ?? '/', { replace: true });
  }, [onLoginPage]);

  const switchLang = (next: Lang): void => {
    setLang(next);
    setLangState(next);
  };
  const logout = (): void => {
    void api('POST', '/api/auth/logout', {})
      .catch(() => undefined)
      .finally(() => {
        setCsrfToken(undefined);
        setAuth({ kind: 'anonymous' });
        navigate('/', { replace: true });
      });
  };

  // Every step answers the account as the API now sees it; the page under way (loc.path) stays.
  const signedIn = (me: Me): void => setAuth({ kind: 'in', me });
  // R-SEC-1: a role that hears audio needs a session with a second factor; until then the API serves it
  // only /api/auth/*, and the console shows only the step that gives one: enrol, or give the code.
  const step = auth.kind === 'in' ? secondFactorStep(auth.me) : undefined;
  let content: JSX.Element;
  if (auth.kind === 'checking') content = <p role="status">{t('common.loading')}</p>;
  else if (auth.kind === 'anonymous') content = <LoginPage onLoggedIn={signedIn} />;
  else if (step === 'enrol') content = <EnrolTotpPage onDone={signedIn} />;
  else if (step === 'verify') content = <VerifyTotpPage onDone={signedIn} />;
  else if (onLoginPage) content = <p role="status">{t('common.loading')}</p>;
  else content = <Routed path={loc.path} me={auth.me} />;

  return (
    <div class="shell" data-lang={lang} onClick={onLinkClick}>
      <a class="skip-link" href="#main">
        {t('a11y.skip')}
      </a>
      <header class="topbar">
        <a class="brand" href="/">
          <span class="brand-mark" aria-hidden="true" />
          {t('app.name')}
        </a>
        <div class="topbar-right">
          {auth.kind === 'in' ? (
            <div class="who" data-testid="who">
              <span>{auth.me.displayName ?? auth.me.login}</span>
              {auth.me.roles.map((r) => (
                <span class="badge badge-info" key={r}>
                  {tMaybe(`role.${r}`, r)}
                </span>
              ))}
            </div>
          ) : null}
          <LangSwitch lang={lang} onSwitch={switchLang} />
          {auth.kind === 'in' ? (
            <button type="button" class="btn btn-ghost" onClick={logout}>
              {t('auth.logout')}
            </button>
          ) : null}
        </div>
      </header>
      <div class="body">
        {auth.kind === 'in' && !step ? <SideNav me={auth.me} path={loc.path} /> : null}
        <main id="main" tabIndex={-1}>
          {auth.kind === 'in' ? (
            <SessionContext.Provider value={{ me: auth.me, logout }}>{content}</SessionContext.Provider>
          ) : (
            content
          )}
        </main>
      </div>
      <LiveRegion />
    </div>
  );
}

function Routed(props: { path: string; me: Me }): JSX.Element {
  for (const [pattern, Comp] of ROUTES) {
    const params = match(pattern, props.path === '' ? '/' : props.path);
    if (params) return <Comp params={params} />;
  }
  return (
    <Page title={t('notFound.title')}>
      <p>{t('notFound.body')}</p>
    </Page>
  );
}

function LangSwitch(props: { lang: Lang; onSwitch: (l: Lang) => void }): JSX.Element {
  return (
    <div class="lang" role="group" aria-label={t('lang.label')}>
      {(['fr', 'en'] as const).map((l) => (
        <button
          type="button"
          key={l}
          lang={l}
          class={props.lang === l ? 'active' : undefined}
          aria-pressed={props.lang === l}
          onClick={() => props.onSwitch(l)}
          data-testid={`lang-${l}`}
        >
          {t(l === 'fr' ? 'lang.fr' : 'lang.en')}
        </button>
      ))}
    </div>
  );
}

function SideNav(props: { me: Me; path: string }): JSX.Element {
  const items = navFor(props.me.roles);
  const active = (href: string): boolean =>
    href === '/' ? props.path === '/' : props.path === href || props.path.startsWith(`${href}/`);
  return (
    <nav class="sidenav" aria-label={t('nav.label')}>
      <ul>
        {items.map((i) => (
          <li key={i.href}>
            <a href={i.href} aria-current={active(i.href) ? 'page' : undefined}>
              {t(i.label)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function LiveRegion(): JSX.Element {
  const [msg, setMsg] = useState('');
  useEffect(() => onAnnounce(setMsg), []);
  return (
    <div class="sr-only" aria-live="polite" role="status" data-testid="announcer">
      {msg}
    </div>
  );
}
