import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, itemsOf, Unavailable } from '../api.ts';
import { formatDate, formatDateTime, getLang, t, tMaybe } from '../i18n/index.ts';
import { ListPage } from '../components/list-page.tsx';
import {
  Badge,
  DataTable,
  ErrorNotice,
  Field,
  NotAvailable,
  Page,
  Resource,
  useResource,
} from '../components/ui.tsx';
import { announce } from '../session.ts';
import { ComplianceReport } from './report.tsx';
export { Policies } from './policies.tsx';

type Params = { params: Record<string, string> };

interface Consultation {
  kind?: string;
  date?: string;
  reference?: string;
}
interface NoticeRow {
  version: number;
  publishedAt?: number | string;
  acknowledged?: number;
  agents?: number;
}

/** R-EMP-1 (staff consultation) and R-EMP-2 (employee notice acknowledged by each agent). */
export function Staff(_: Params): JSX.Element {
  const [res] = useResource<{ consultation?: Consultation; notices?: NoticeRow[] }>('/api/staff');
  return (
    <Page title={t('nav.staff')} intro={t('staff.intro')}>
      <Resource res={res} route="GET /api/staff">
        {(d) => (
          <>
            <dl class="kv card">
              <dt>{t('staff.consultation')}</dt>
              <dd>
                {d.consultation ? (
                  <Badge tone="ok">
                    {tMaybe(`staff.kind.${d.consultation.kind ?? ''}`, d.consultation.kind ?? '—')}
                  </Badge>
                ) : (
                  <Badge tone="danger">{t('staff.missing')}</Badge>
                )}
              </dd>
              <dt>{t('staff.date')}</dt>
              <dd>{formatDate(d.consultation?.date)}</dd>
              <dt>{t('staff.reference')}</dt>
              <dd>{d.consultation?.reference ?? '—'}</dd>
            </dl>
            <h2 class="h3">{t('staff.notices')}</h2>
            <DataTable
              caption={t('staff.notices')}
              rows={d.notices ?? []}
              rowKey={(n) => String(n.version)}
              columns={[
                { label: t('pol.col.version'), cell: (n) => String(n.version), numeric: true },
                { label: t('staff.published'), cell: (n) => formatDate(n.publishedAt) },
                {
                  label: t('staff.acknowledged'),
                  cell: (n) => `${n.acknowledged ?? 0} / ${n.agents ?? '—'}`,
                  numeric: true,
                },
              ]}
            />
          </>
        )}
      </Resource>
    </Page>
  );
}

interface AuditRow {
  seq: number;
  at: number | string;
  actor: string;
  role?: string;
  action: string;
  objectType?: string;
  objectId?: string | null;
  purpose?: string | null;
  result: string;
  sourceAddress?: string | null;
}
interface VerifyResult {
  ok: boolean;
  count?: number;
  /** The first broken link, when `ok` is false. */
  seq?: number;
  reason?: string;
}

/** R-SEC-2: the access log and its hash-chain integrity check. */
export function Audit(_: Params): JSX.Element {
  const [verify, setVerify] = useState<VerifyResult | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (): Promise<void> => {
    setError(undefined);
    try {
      const r = await api<VerifyResult>('GET', '/api/audit/verify');
      setVerify(r);
      announce(r.ok ? t('audit.intact', { n: r.count ?? 0 }) : t('audit.broken'));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <ListPage<AuditRow>
      title={t('nav.audit')}
      intro={t('audit.intro')}
      url="/api/audit?limit=100"
      route="GET /api/audit"
      rowKey={(r) => String(r.seq)}
      actions={
        <button type="button" class="btn" onClick={() => void run()} data-testid="verify-chain">
          {t('audit.verify')}
        </button>
      }
      columns={[
        { label: '#', cell: (r) => String(r.seq), numeric: true },
        { label: t('audit.col.at'), cell: (r) => formatDateTime(r.at) },
        { label: t('audit.col.actor'), cell: (r) => r.actor },
        { label: t('audit.col.role'), cell: (r) => tMaybe(`role.${r.role ?? ''}`, r.role ?? '—') },
        { label: t('audit.col.action'), cell: (r) => tMaybe(`action.${r.action}`, r.action) },
        {
          label: t('audit.col.object'),
          cell: (r) => [r.objectType, r.objectId].filter(Boolean).join(' ') || '—',
        },
        {
          label: t('audit.col.purpose'),
          cell: (r) => (r.purpose ? tMaybe(`purpose.${r.purpose}`, r.purpose) : '—'),
        },
        {
          label: t('audit.col.result'),
          cell: (r) => (
            <Badge tone={r.result === 'allowed' ? 'ok' : 'danger'}>
              {tMaybe(`result.${r.result}`, r.result)}
            </Badge>
          ),
        },
        { label: t('audit.col.source'), cell: (r) => r.sourceAddress ?? '—' },
      ]}
    >
      {error ? <ErrorNotice error={error} /> : null}
      {verify ? (
        <p
          class={`notice ${verify.ok ? 'notice-ok' : 'notice-danger'}`}
          role="status"
          data-testid="verify-result"
        >
          {verify.ok
            ? t('audit.intact', { n: verify.count ?? 0 })
            : t('audit.brokenAt', { seq: verify.seq ?? '?', reason: verify.reason ?? '' })}
        </p>
      ) : null}
    </ListPage>
  );
}

interface Hold {
  id: string;
  scope?: string;
  recordingId?: string;
  reason: string;
  owner: string;
  reviewAt: number | string;
}

/** R-RET-6: every hold has a reason, an owner and a review date; overdue reviews stand out. */
export function Holds(_: Params): JSX.Element {
  return (
    <ListPage<Hold>
      title={t('nav.holds')}
      intro={t('holds.intro')}
      url="/api/holds"
      route="GET /api/holds"
      rowKey={(h) => h.id}
      columns={[
        { label: t('holds.scope'), cell: (h) => h.recordingId ?? h.scope ?? '—' },
        { label: t('holds.reason'), cell: (h) => h.reason },
        { label: t('holds.owner'), cell: (h) => h.owner },
        {
          label: t('holds.review'),
          cell: (h) => (
            <Badge tone={new Date(h.reviewAt).getTime() < Date.now() ? 'danger' : 'neutral'}>
              {formatDate(h.reviewAt)}
            </Badge>
          ),
        },
      ]}
    />
  );
}

interface Request {
  id: string;
  kind: string;
  receivedAt: number | string;
  dueAt: number | string;
  state: string;
}

const DAY_MS = 86_400_000;

/** R-DSR-3: one month from receipt; extensions need a reason. Days left drive the badge. */
export function Requests(_: Params): JSX.Element {
  return (
    <ListPage<Request>
      title={t('nav.requests')}
      intro={t('dsr.intro')}
      url="/api/requests"
      route="GET /api/requests"
      rowKey={(r) => r.id}
      columns={[
        { label: t('dsr.kind'), cell: (r) => tMaybe(`dsr.kind.${r.kind}`, r.kind) },
        { label: t('dsr.received'), cell: (r) => formatDate(r.receivedAt) },
        { label: t('dsr.due'), cell: (r) => formatDate(r.dueAt) },
        {
          label: t('dsr.left'),
          cell: (r) => {
            const days = Math.ceil((new Date(r.dueAt).getTime() - Date.now()) / DAY_MS);
            if (r.state === 'closed') return <Badge tone="ok">{t('dsr.closed')}</Badge>;
            return (
              <Badge tone={days < 0 ? 'danger' : days <= 7 ? 'warn' : 'neutral'}>
                {t('dsr.days', { n: days })}
              </Badge>
            );
          },
        },
        { label: t('rec.col.state'), cell: (r) => tMaybe(`dsr.state.${r.state}`, r.state) },
      ]}
    />
  );
}

export function Report(_: Params): JSX.Element {
  return <ComplianceReport />;
}

interface Doc {
  id: string;
  kind: string;
  title?: string;
  generatedAt?: number | string;
  url?: string;
}

export function Documents(_: Params): JSX.Element {
  return (
    <ListPage<Doc>
      title={t('nav.documents')}
      intro={t('docs.intro')}
      url="/api/documents"
      route="GET /api/documents"
      rowKey={(d) => d.id}
      columns={[
        {
          label: t('docs.title'),
          cell: (d) =>
            d.url ? (
              <a href={d.url} download>
                {d.title ?? d.kind}
              </a>
            ) : (
              (d.title ?? d.kind)
            ),
        },
        { label: t('docs.kind'), cell: (d) => tMaybe(`docs.kind.${d.kind}`, d.kind) },
        { label: t('docs.generated'), cell: (d) => formatDateTime(d.generatedAt) },
      ]}
    />
  );
}
