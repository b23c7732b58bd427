import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { formatDateTime, t, tMaybe } from '../i18n/index.ts';
import { ListPage } from '../components/list-page.tsx';
import { Badge, ErrorNotice } from '../components/ui.tsx';
import { announce } from '../session.ts';
export { Policies } from './policies.tsx';
export { Staff } from './staff.tsx';
export { Documents, Holds, Report, Requests } from './governance.tsx';

type Params = { params: Record<string, string> };

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
