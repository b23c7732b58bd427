/**
 * Administration of the machine-to-machine side: API tokens (stored hashed, shown once, revocable; each
 * change logged, R-SEC-2) and outgoing webhooks (the signing secret shown once).
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { formatDateTime, t, tMaybe } from '../i18n/index.ts';
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

const TOKEN_SCOPES = ['calls:control', 'recordings:read'] as const;
const WEBHOOK_EVENTS = ['recording.sealed', 'recording.deleted', 'call.objection', 'request.due'] as const;

/** A secret the server shows once: copied by the administrator, never stored by the console. */
function OneTime(props: { label: string; value: string; testId: string }): JSX.Element {
  return (
    <div class="notice notice-warn" role="status">
      <p>{props.label}</p>
      <code data-testid={props.testId}>{props.value}</code>
    </div>
  );
}

function Checkboxes(props: {
  legend: string;
  options: readonly string[];
  prefix: string;
  value: readonly string[];
  onChange: (v: string[]) => void;
}): JSX.Element {
  return (
    <fieldset class="eval-yesno">
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label key={o}>
          <input
            type="checkbox"
            checked={props.value.includes(o)}
            onChange={(e) =>
              props.onChange(
                e.currentTarget.checked ? [...props.value, o] : props.value.filter((x) => x !== o),
              )
            }
          />{' '}
          {tMaybe(`${props.prefix}.${o}`, o)}
        </label>
      ))}
    </fieldset>
  );
}

interface Token {
  id: string;
  name: string;
  scopes?: string[];
  createdAt?: number;
  lastUsedAt?: number | null;
  revokedAt?: number | null;
}

export function Tokens(): JSX.Element {
  const [res, reload] = useResource<Token[] | { items: Token[] }>('/api/tokens');
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const [error, act] = useAction(reload);
  const create = (e: Event): void => {
    e.preventDefault();
    act(
      () =>
        api<{ token: string }>('POST', '/api/tokens', { name, scopes }).then((r) => {
          setSecret(r.token);
          setName('');
          setScopes([]);
        }),
      t('tokens.createdNow'),
    );
  };
  return (
    <Page title={t('nav.tokens')} intro={t('tokens.intro')}>
      {error ? <ErrorNotice error={error} /> : null}
      {secret ? <OneTime label={t('tokens.oneTime')} value={secret} testId="token-secret" /> : null}
      <Resource res={res} route="GET /api/tokens">
        {(d) => (
          <DataTable
            caption={t('nav.tokens')}
            rows={Array.isArray(d) ? d : d.items}
            rowKey={(x) => x.id}
            columns={[
              { label: t('tokens.name'), cell: (x) => x.name },
              { label: t('tokens.scopes'), cell: (x) => (x.scopes ?? []).join(', ') },
              { label: t('tokens.created'), cell: (x) => formatDateTime(x.createdAt) },
              { label: t('tokens.lastUsed'), cell: (x) => formatDateTime(x.lastUsedAt ?? undefined) },
              {
                label: t('rec.col.state'),
                cell: (x) =>
                  x.revokedAt ? (
                    <Badge tone="danger">{t('tokens.revoked')}</Badge>
                  ) : (
                    <Badge tone="ok">{t('tokens.active')}</Badge>
                  ),
              },
              {
                label: t('common.actions'),
                cell: (x) =>
                  x.revokedAt ? null : (
                    <button
                      type="button"
                      class="btn btn-small"
                      onClick={() =>
                        window.confirm(t('tokens.revokeConfirm', { name: x.name })) &&
                        act(
                          () => api('DELETE', `/api/tokens/${encodeURIComponent(x.id)}`),
                          t('tokens.revokedNow'),
                        )
                      }
                    >
                      {t('tokens.revoke')}
                    </button>
                  ),
              },
            ]}
          />
        )}
      </Resource>
      <form class="card form" onSubmit={create} aria-labelledby="new-token">
        <h2 id="new-token" class="h3">
          {t('tokens.new')}
        </h2>
        <Field label={t('tokens.name')} id="token-name">
          <input id="token-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Checkboxes
          legend={t('tokens.scopes')}
          options={TOKEN_SCOPES}
          prefix="scope"
          value={scopes}
          onChange={setScopes}
        />
        <button type="submit" class="btn btn-primary" disabled={!name || scopes.length === 0}>
          {t('tokens.create')}
        </button>
      </form>
    </Page>
  );
}

interface Endpoint {
  id: string;
  url: string;
  events: string[];
  createdAt: number;
  createdBy?: string;
}

export function Webhooks(): JSX.Element {
  const [res, reload] = useResource<{ items: Endpoint[] }>('/api/webhooks');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const [error, act] = useAction(reload);
  const add = (e: Event): void => {
    e.preventDefault();
    act(
      () =>
        api<{ secret: string }>('POST', '/api/webhooks', { url, events }).then((r) => {
          setSecret(r.secret);
          setUrl('');
          setEvents([]);
        }),
      t('hooks.added'),
    );
  };
  return (
    <Page title={t('nav.webhooks')} intro={t('hooks.intro')}>
      {error ? <ErrorNotice error={error} /> : null}
      {secret ? <OneTime label={t('hooks.oneTime')} value={secret} testId="webhook-secret" /> : null}
      <Resource res={res} route="GET /api/webhooks">
        {(d) => (
          <DataTable
            caption={t('nav.webhooks')}
            rows={d.items}
            rowKey={(x) => x.id}
            columns={[
              { label: t('hooks.url'), cell: (x) => <code>{x.url}</code> },
              {
                label: t('hooks.events'),
                cell: (x) => x.events.map((ev) => tMaybe(`hook.${ev}`, ev)).join(', '),
              },
              { label: t('tokens.created'), cell: (x) => formatDateTime(x.createdAt) },
              {
                label: t('common.actions'),
                cell: (x) => (
                  <button
                    type="button"
                    class="btn btn-small"
                    onClick={() =>
                      act(
                        () => api('DELETE', `/api/webhooks/${encodeURIComponent(x.id)}`),
                        t('hooks.removed'),
                      )
                    }
                  >
                    {t('hooks.remove')}
                  </button>
                ),
              },
            ]}
          />
        )}
      </Resource>
      <form class="card form" onSubmit={add} aria-labelledby="new-hook">
        <h2 id="new-hook" class="h3">
          {t('hooks.new')}
        </h2>
        <Field label={t('hooks.url')} id="hook-url" hint={t('hooks.urlHint')}>
          <input
            id="hook-url"
            type="url"
            required
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
        </Field>
        <Checkboxes
          legend={t('hooks.events')}
          options={WEBHOOK_EVENTS}
          prefix="hook"
          value={events}
          onChange={setEvents}
        />
        <button type="submit" class="btn btn-primary" disabled={!url || events.length === 0}>
          {t('hooks.add')}
        </button>
      </form>
    </Page>
  );
}
