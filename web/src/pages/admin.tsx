import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { formatDateTime, t, tMaybe } from '../i18n/index.ts';
import { ListPage } from '../components/list-page.tsx';
import { Badge, ErrorNotice, Field } from '../components/ui.tsx';
import { announce, ROLES } from '../session.ts';

type Params = { params: Record<string, string> };
export { Tokens, Webhooks } from './admin-integrations.tsx';

interface UserRow {
  id: string;
  login: string;
  displayName?: string;
  roles: string[];
  teams?: string[];
  totpEnabled?: boolean;
  disabled?: boolean;
}

function AddUser(props: { onAdded: () => void }): JSX.Element {
  const [login, setLogin] = useState('');
  const [role, setRole] = useState<string>('agent');
  const [teams, setTeams] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [oneTime, setOneTime] = useState<string | undefined>(undefined);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    try {
      const r = await api<{ oneTimePassword?: string }>('POST', '/api/users', {
        login,
        roles: [role],
        teams: teams
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      });
      setOneTime(r?.oneTimePassword);
      announce(t('users.added'));
      props.onAdded();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="card form inline-form" onSubmit={(e) => void submit(e)} aria-labelledby="add-user">
      <h2 id="add-user" class="h3">
        {t('users.add')}
      </h2>
      <Field label={t('auth.login')} id="u-login">
        <input id="u-login" required value={login} onInput={(e) => setLogin(e.currentTarget.value)} />
      </Field>
      <Field label={t('users.role')} id="u-role">
        <select id="u-role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {tMaybe(`role.${r}`, r)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('users.teams')} id="u-teams" hint={t('users.teamsHint')}>
        <input id="u-teams" value={teams} onInput={(e) => setTeams(e.currentTarget.value)} />
      </Field>
      <button type="submit" class="btn btn-primary">
        {t('users.create')}
      </button>
      {error ? <ErrorNotice error={error} /> : null}
      {oneTime ? (
        <p class="notice notice-warn" role="status">
          {t('users.oneTime')} <code>{oneTime}</code>
        </p>
      ) : null}
    </form>
  );
}

export function Users(_: Params): JSX.Element {
  const [n, setN] = useState(0);
  return (
    <ListPage<UserRow>
      key={n}
      title={t('nav.users')}
      intro={t('users.intro')}
      url="/api/users"
      route="GET /api/users"
      rowKey={(u) => u.id}
      columns={[
        { label: t('auth.login'), cell: (u) => u.login },
        { label: t('users.name'), cell: (u) => u.displayName ?? '—' },
        {
          label: t('users.role'),
          cell: (u) =>
            u.roles.map((r) => (
              <Badge tone="info" key={r}>
                {tMaybe(`role.${r}`, r)}
              </Badge>
            )),
        },
        { label: t('users.teams'), cell: (u) => (u.teams ?? []).join(', ') || '—' },
        {
          label: t('users.totp'),
          cell: (u) =>
            u.totpEnabled ? (
              <Badge tone="ok">{t('common.yes')}</Badge>
            ) : (
              <Badge tone="warn">{t('common.no')}</Badge>
            ),
        },
      ]}
    >
      <AddUser onAdded={() => setN((x) => x + 1)} />
    </ListPage>
  );
}

interface Team {
  id?: string;
  name: string;
  members?: number;
  supervisors?: string[];
}

export function Teams(_: Params): JSX.Element {
  return (
    <ListPage<Team>
      title={t('nav.teams')}
      intro={t('teams.intro')}
      url="/api/teams"
      route="GET /api/teams"
      rowKey={(x) => x.id ?? x.name}
      columns={[
        { label: t('teams.name'), cell: (x) => x.name },
        { label: t('teams.members'), cell: (x) => String(x.members ?? '—'), numeric: true },
        { label: t('teams.supervisors'), cell: (x) => (x.supervisors ?? []).join(', ') || '—' },
      ]}
    />
  );
}

interface Integration {
  name: string;
  kind: string;
  status: 'up' | 'down' | 'degraded' | string;
  activeCalls?: number;
  lastEventAt?: number | string | null;
}

export function Integrations(_: Params): JSX.Element {
  return (
    <ListPage<Integration>
      title={t('nav.integrations')}
      intro={t('integ.intro')}
      url="/api/integrations"
      route="GET /api/integrations"
      rowKey={(x) => x.name}
      columns={[
        { label: t('integ.name'), cell: (x) => x.name },
        { label: t('integ.kind'), cell: (x) => x.kind },
        {
          label: t('integ.status'),
          cell: (x) => (
            <Badge tone={x.status === 'up' ? 'ok' : x.status === 'degraded' ? 'warn' : 'danger'}>
              {tMaybe(`integ.status.${x.status}`, x.status)}
            </Badge>
          ),
        },
        { label: t('integ.calls'), cell: (x) => String(x.activeCalls ?? 0), numeric: true },
        { label: t('integ.last'), cell: (x) => formatDateTime(x.lastEventAt ?? undefined) },
      ]}
    />
  );
}
