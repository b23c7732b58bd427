/**
 * Account administration (R-SEC-1: individual accounts, least privilege). The administrator sees every
 * account with its roles, team scopes (R-MIN-3) and second factor; creates a local account (the one-time
 * password is shown once); changes roles, teams and display name; disables or re-enables an account; resets
 * its TOTP. The API writes each change to the access log (R-SEC-2) and closes the user's open sessions; its
 * refusals (the last administrator, a taken login) are shown with their code and rule id.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { t, tMaybe } from '../i18n/index.ts';
import { canAdministerUsers } from '../nav.ts';
import {
  Badge,
  DataTable,
  ErrorNotice,
  Field,
  Page,
  Resource,
  useAction,
  useResource,
} from '../components/ui.tsx';
import { announce, ROLES, useSession, type Role } from '../session.ts';

interface UserRow {
  readonly id: string;
  readonly login: string;
  readonly displayName?: string;
  readonly roles: readonly Role[];
  readonly teams: readonly string[];
  readonly totpEnabled: boolean;
  readonly disabled: boolean;
  readonly agentId?: string | null;
}

/** A team of the agent directory (`GET /api/teams`); users' scopes hold team ids. */
interface TeamRow {
  readonly id: string;
  readonly name: string;
}

const splitIds = (s: string): string[] => [
  ...new Set(
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  ),
];
const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x) => b.includes(x));

/** A group of checkboxes with a legend; `label` names each option in the current language. */
function CheckGroup<T extends string>(props: {
  legend: string;
  hint?: string;
  options: readonly T[];
  label: (o: T) => string;
  value: readonly T[];
  onChange: (v: T[]) => void;
}): JSX.Element {
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {props.hint ? <small class="muted">{props.hint}</small> : null}
      <div class="radios">
        {props.options.map((o) => (
          <label class="radio" key={o}>
            <input
              type="checkbox"
              checked={props.value.includes(o)}
              onChange={(e) =>
                props.onChange(
                  e.currentTarget.checked ? [...props.value, o] : props.value.filter((x) => x !== o),
                )
              }
            />
            {props.label(o)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** Roles and team scopes, shared by the creation and the edit forms. */
function AccessFields(props: {
  id: string;
  directory: readonly TeamRow[];
  roles: readonly Role[];
  onRoles: (r: Role[]) => void;
  teams: readonly string[];
  onTeams: (t: string[]) => void;
}): JSX.Element {
  const known = props.directory.map((d) => d.id);
  const other = props.teams.filter((x) => !known.includes(x));
  // The text is kept as typed (a trailing comma included); the scopes are parsed from it on each input.
  const [otherText, setOtherText] = useState(other.join(', '));
  const nameOf = (id: string): string => props.directory.find((d) => d.id === id)?.name ?? id;
  return (
    <>
      <CheckGroup
        legend={t('users.roles')}
        hint={t('users.rolesHint')}
        options={ROLES}
        label={(r) => tMaybe(`role.${r}`, r)}
        value={props.roles}
        onChange={props.onRoles}
      />
      {props.roles.length === 0 ? <p class="small muted">{t('users.rolesNone')}</p> : null}
      {known.length > 0 ? (
        <CheckGroup
          legend={t('users.teams')}
          hint={t('users.teamsScope')}
          options={known}
          label={nameOf}
          value={props.teams.filter((x) => known.includes(x))}
          onChange={(v) => props.onTeams([...v, ...other])}
        />
      ) : null}
      <Field label={t('users.otherTeams')} id={`${props.id}-other`} hint={t('users.teamsHint')}>
        <input
          id={`${props.id}-other`}
          value={otherText}
          onInput={(e) => {
            setOtherText(e.currentTarget.value);
            props.onTeams([
              ...props.teams.filter((x) => known.includes(x)),
              ...splitIds(e.currentTarget.value).filter((x) => !known.includes(x)),
            ]);
          }}
        />
      </Field>
    </>
  );
}

function AddUser(props: { directory: readonly TeamRow[]; onAdded: () => void }): JSX.Element {
  const [login, setLogin] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [agentId, setAgentId] = useState('');
  const [roles, setRoles] = useState<Role[]>([]);
  const [teams, setTeams] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [oneTime, setOneTime] = useState<string | undefined>(undefined);
  const [created, setCreated] = useState(0);
  const submit = (e: Event): void => {
    e.preventDefault();
    setError(undefined);
    const body = {
      login,
      roles,
      teams,
      ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
      ...(agentId.trim() ? { agentId: agentId.trim() } : {}),
    };
    api<{ oneTimePassword: string }>('POST', '/api/users', body).then(
      (r) => {
        setOneTime(r.oneTimePassword);
        setLogin('');
        setDisplayName('');
        setAgentId('');
        setRoles([]);
        setTeams([]);
        setCreated((n) => n + 1);
        announce(t('users.added'));
        props.onAdded();
      },
      (err: unknown) => setError(err),
    );
  };
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="add-user">
      <h2 id="add-user" class="h3">
        {t('users.add')}
      </h2>
      <Field label={t('auth.login')} id="u-login">
        <input id="u-login" required value={login} onInput={(e) => setLogin(e.currentTarget.value)} />
      </Field>
      <Field label={t('users.name')} id="u-name">
        <input id="u-name" value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
      </Field>
      <AccessFields
        key={created}
        id="u"
        directory={props.directory}
        roles={roles}
        onRoles={setRoles}
        teams={teams}
        onTeams={setTeams}
      />
      <Field label={t('users.agentId')} id="u-agent" hint={t('users.agentIdHint')}>
        <input id="u-agent" value={agentId} onInput={(e) => setAgentId(e.currentTarget.value)} />
      </Field>
      <div class="row">
        <button type="submit" class="btn btn-primary" disabled={roles.length === 0}>
          {t('users.create')}
        </button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      {oneTime ? (
        <div class="notice notice-warn" role="status">
          <p>{t('users.oneTime')}</p>
          <code data-testid="user-password">{oneTime}</code>
        </div>
      ) : null}
    </form>
  );
}

/** Sends only what changed, so the access-log entry names exactly the fields changed. */
function EditUser(props: {
  user: UserRow;
  self: boolean;
  directory: readonly TeamRow[];
  onDone: () => void;
  onCancel: () => void;
}): JSX.Element {
  const u = props.user;
  const [displayName, setDisplayName] = useState(u.displayName ?? '');
  const [roles, setRoles] = useState<Role[]>([...u.roles]);
  const [teams, setTeams] = useState<string[]>([...u.teams]);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const patch: Record<string, unknown> = {
    ...(sameSet(roles, u.roles) ? {} : { roles }),
    ...(sameSet(teams, u.teams) ? {} : { teams }),
    ...(displayName.trim() && displayName.trim() !== u.displayName
      ? { displayName: displayName.trim() }
      : {}),
  };
  const dirty = Object.keys(patch).length > 0;
  const [error, act] = useAction(props.onDone);
  const send = (body: Record<string, unknown>, done: string): void =>
    act(() => api('PATCH', `/api/users/${encodeURIComponent(u.id)}`, body), done);
  const submit = (e: Event): void => {
    e.preventDefault();
    if (dirty) send(patch, t('users.saved'));
  };
  const resetTotp = (): void => {
    if (window.confirm(t('users.resetTotpConfirm', { login: u.login })))
      send({ resetTotp: true }, t('users.resetTotpDone'));
  };
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="edit-user" data-testid="edit-user">
      <h2 id="edit-user" class="h3" tabIndex={-1} ref={heading}>
        {t('users.editTitle', { login: u.login })}
      </h2>
      <Field label={t('users.name')} id="e-name">
        <input id="e-name" value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
      </Field>
      <AccessFields
        id="e"
        directory={props.directory}
        roles={roles}
        onRoles={setRoles}
        teams={teams}
        onTeams={setTeams}
      />
      <p class="small muted">{props.self ? t('users.selfHint') : t('users.sessionsHint')}</p>
      <div class="row">
        <button type="submit" class="btn btn-primary" disabled={!dirty || roles.length === 0}>
          {t('users.save')}
        </button>
        <button type="button" class="btn" onClick={props.onCancel}>
          {t('users.cancel')}
        </button>
        {u.totpEnabled ? (
          <button type="button" class="btn" onClick={resetTotp}>
            {t('users.resetTotp')}
          </button>
        ) : null}
      </div>
      {error ? <ErrorNotice error={error} /> : null}
    </form>
  );
}

function UsersAdmin(props: { me: string }): JSX.Element {
  const [res, reload] = useResource<UserRow[]>('/api/users');
  const [teamsRes] = useResource<TeamRow[]>('/api/teams');
  const directory = teamsRes.state === 'ready' ? teamsRes.data : [];
  // The forms wait for the directory (or its refusal): their team fields are laid out from it once.
  const teamsKnown = teamsRes.state !== 'loading';
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const [error, act] = useAction(reload);
  const teamName = (id: string): string => directory.find((d) => d.id === id)?.name ?? id;
  const setDisabled = (u: UserRow, disabled: boolean): void => {
    if (disabled && !window.confirm(t('users.disableConfirm', { login: u.login }))) return;
    act(
      () => api('PATCH', `/api/users/${encodeURIComponent(u.id)}`, { disabled }),
      disabled ? t('users.disabledNow') : t('users.enabledNow'),
    );
  };
  return (
    <Page title={t('nav.users')} intro={t('users.intro')}>
      {error ? <ErrorNotice error={error} /> : null}
      <Resource res={res} route="GET /api/users">
        {(users) => {
          const current = users.find((u) => u.id === editing);
          return (
            <>
              <DataTable
                caption={t('nav.users')}
                rows={users}
                rowKey={(u) => u.id}
                columns={[
                  { label: t('auth.login'), cell: (u) => u.login },
                  { label: t('users.name'), cell: (u) => u.displayName ?? '—' },
                  {
                    label: t('users.roles'),
                    cell: (u) =>
                      u.roles.map((r) => (
                        <Badge tone="info" key={r}>
                          {tMaybe(`role.${r}`, r)}
                        </Badge>
                      )),
                  },
                  { label: t('users.teams'), cell: (u) => u.teams.map(teamName).join(', ') || '—' },
                  {
                    label: t('users.totp'),
                    cell: (u) => (
                      <Badge tone={u.totpEnabled ? 'ok' : 'warn'}>
                        {u.totpEnabled ? t('common.yes') : t('common.no')}
                      </Badge>
                    ),
                  },
                  {
                    label: t('users.status'),
                    cell: (u) => (
                      <Badge tone={u.disabled ? 'danger' : 'ok'}>
                        {u.disabled ? t('users.disabled') : t('users.active')}
                      </Badge>
                    ),
                  },
                  {
                    label: t('common.actions'),
                    cell: (u) => (
                      <div class="row">
                        <button type="button" class="btn btn-small" onClick={() => setEditing(u.id)}>
                          {t('users.edit')}
                        </button>
                        <button
                          type="button"
                          class="btn btn-small"
                          onClick={() => setDisabled(u, !u.disabled)}
                        >
                          {u.disabled ? t('users.enable') : t('users.disable')}
                        </button>
                      </div>
                    ),
                  },
                ]}
              />
              {current && teamsKnown ? (
                <EditUser
                  key={current.id}
                  user={current}
                  self={current.id === props.me}
                  directory={directory}
                  onDone={() => (setEditing(undefined), reload())}
                  onCancel={() => setEditing(undefined)}
                />
              ) : null}
            </>
          );
        }}
      </Resource>
      {teamsKnown ? <AddUser directory={directory} onAdded={reload} /> : null}
    </Page>
  );
}

/** Only the roles the API lets administer accounts see the page (the link is theirs only, nav.ts). */
export function Users(): JSX.Element {
  const { me } = useSession();
  if (!canAdministerUsers(me.roles))
    return (
      <Page title={t('nav.users')}>
        <div class="notice notice-danger" role="alert">
          {t('users.notAllowed')}
        </div>
      </Page>
    );
  return <UsersAdmin me={me.id} />;
}
