import { Fragment, type JSX } from 'preact';
import { t } from '../i18n/index.ts';
import { ListPage } from '../components/list-page.tsx';
import { Badge, DataTable, Empty, Page, Resource, useResource } from '../components/ui.tsx';

type Params = { params: Record<string, string> };
export { Tokens, Webhooks } from './admin-integrations.tsx';
export { Users } from './admin-users.tsx';

/** `GET /api/teams`: the agent directory's teams, with how many of its agents each holds. */
interface Team {
  id: string;
  name: string;
  agents: number;
}

export function Teams(_: Params): JSX.Element {
  return (
    <ListPage<Team>
      title={t('nav.teams')}
      intro={t('teams.intro')}
      url="/api/teams"
      route="GET /api/teams"
      rowKey={(x) => x.id}
      columns={[
        { label: t('teams.name'), cell: (x) => x.name },
        { label: t('teams.id'), cell: (x) => <code>{x.id}</code> },
        { label: t('teams.agents'), cell: (x) => String(x.agents), numeric: true },
      ]}
    />
  );
}

const STREAMS = ['twilio', 'audiohook', 'fork'] as const;

/** `GET /api/integrations` (src/api/integrations/integrations.routes.ts): never a secret, only whether set. */
interface IngestSetup {
  ingest: boolean;
  siprec: {
    host: string;
    port: number;
    transports: string[];
    tlsPort: number | null;
    maxCalls: number;
    trunksFile: boolean;
  };
  twilio: Stream;
  audiohook: Stream;
  fork: Stream;
  activeCalls: { total: number; byProtocol: Record<string, number> } | null;
}
interface Stream {
  path: string;
  configured: boolean;
}

const yesNo = (b: boolean): string => (b ? t('common.yes') : t('common.no'));

export function Integrations(_: Params): JSX.Element {
  const [res] = useResource<IngestSetup>('/api/integrations');
  return (
    <Page title={t('nav.integrations')} intro={t('integ.intro')}>
      <Resource res={res} route="GET /api/integrations">
        {(d) => (
          <>
            <dl class="kv card" data-testid="integ-siprec">
              <dt>{t('integ.ingest')}</dt>
              <dd>{yesNo(d.ingest)}</dd>
              <dt>{t('integ.siprec')}</dt>
              <dd>
                <code>
                  {d.siprec.host}:{d.siprec.port}
                </code>
              </dd>
              <dt>{t('integ.transports')}</dt>
              <dd>{d.siprec.transports.join(', ')}</dd>
              <dt>{t('integ.tlsPort')}</dt>
              <dd>{d.siprec.tlsPort ?? '—'}</dd>
              <dt>{t('integ.maxCalls')}</dt>
              <dd>{d.siprec.maxCalls}</dd>
              <dt>{t('integ.trunks')}</dt>
              <dd>{yesNo(d.siprec.trunksFile)}</dd>
            </dl>
            <h2 class="h3">{t('integ.streams')}</h2>
            <DataTable
              caption={t('integ.streams')}
              rows={STREAMS.map((k) => ({ kind: k, ...d[k] }))}
              rowKey={(x) => x.kind}
              columns={[
                { label: t('integ.endpoint'), cell: (x) => t(`integ.${x.kind}`) },
                { label: t('integ.path'), cell: (x) => <code>{x.path}</code> },
                {
                  label: t('integ.credentials'),
                  cell: (x) => (
                    <Badge tone={x.configured ? 'ok' : 'warn'}>
                      {x.configured ? t('integ.configured') : t('integ.missing')}
                    </Badge>
                  ),
                },
              ]}
            />
            <h2 class="h3 section-gap">{t('integ.calls')}</h2>
            {d.activeCalls ? (
              <dl class="kv card" data-testid="integ-calls">
                <dt>{t('integ.total')}</dt>
                <dd>
                  <strong>{d.activeCalls.total}</strong>
                </dd>
                {Object.entries(d.activeCalls.byProtocol).map(([protocol, n]) => (
                  <Fragment key={protocol}>
                    <dt>
                      <code>{protocol}</code>
                    </dt>
                    <dd>{n}</dd>
                  </Fragment>
                ))}
              </dl>
            ) : (
              <Empty>{t('integ.noRecorder')}</Empty>
            )}
          </>
        )}
      </Resource>
    </Page>
  );
}
