import type { JSX } from 'preact';
import { formatDate, formatDateTime, formatDuration, t, tMaybe } from '../i18n/index.ts';
import { ListPage } from '../components/list-page.tsx';
import { Badge } from '../components/ui.tsx';
import type { RecordingSummary } from './model.ts';

interface Campaign {
  policyId: string;
  version?: number;
  purposes?: string[];
  /** Campaign window (epoch ms), null when the policy has none. */
  from?: number | null;
  until?: number | null;
  /** False while the campaign has not started yet. */
  active?: boolean;
  liveListening?: boolean;
  samplingRate?: number;
  maxPerAgentPerDay?: number | null;
}

const purposeList = (ps: readonly string[] | undefined): string =>
  (ps ?? []).map((p) => tMaybe(`purpose.${p}`, p)).join(', ') || '—';

const samplingOf = (c: Campaign): string => {
  const pct = `${Math.round((c.samplingRate ?? 0) * 1000) / 10} %`;
  return c.maxPerAgentPerDay ? t('me.samplingCap', { pct, n: c.maxPerAgentPerDay }) : pct;
};

/** R-EMP-3: the agent sees, at any time, which campaigns apply to them and until when. */
export function MyCampaigns(): JSX.Element {
  return (
    <ListPage<Campaign>
      title={t('nav.myCampaigns')}
      intro={t('me.campaigns.intro')}
      url="/api/me/campaigns"
      route="GET /api/me/campaigns"
      rowKey={(c) => c.policyId}
      empty={t('me.campaigns.empty')}
      columns={[
        { label: t('me.col.campaign'), cell: (c) => <code>{c.policyId}</code> },
        { label: t('rec.col.purposes'), cell: (c) => purposeList(c.purposes) },
        { label: t('me.col.from'), cell: (c) => (c.from ? formatDate(c.from) : '—') },
        {
          label: t('me.col.until'),
          cell: (c) => (
            <span data-testid="campaign-until">{c.until ? formatDate(c.until) : t('me.noEnd')}</span>
          ),
        },
        { label: t('me.col.sampling'), cell: samplingOf },
        {
          label: t('me.col.kind'),
          cell: (c) => (
            <>
              <Badge tone={c.active === false ? 'neutral' : 'info'}>
                {c.active === false ? t('me.upcoming') : t('me.recorded')}
              </Badge>{' '}
              {c.liveListening ? <Badge tone="warn">{t('me.liveListened')}</Badge> : null}
            </>
          ),
        },
      ]}
    />
  );
}

/** R-EMP-7: metadata of the agent's own recordings (audio only if a policy lets agents hear their own). */
export function MyRecordings(): JSX.Element {
  return (
    <ListPage<RecordingSummary & { canListen?: boolean }>
      title={t('nav.myRecordings')}
      intro={t('me.recordings.intro')}
      url="/api/me/recordings"
      route="GET /api/me/recordings"
      rowKey={(r) => r.id}
      columns={[
        {
          label: t('rec.col.date'),
          cell: (r) =>
            r.canListen ? (
              <a href={`/recordings/${encodeURIComponent(r.id)}`}>{formatDateTime(r.startedAt)}</a>
            ) : (
              formatDateTime(r.startedAt)
            ),
        },
        {
          label: t('rec.col.duration'),
          cell: (r) => formatDuration(r.durationMs ?? undefined),
          numeric: true,
        },
        {
          label: t('rec.col.direction'),
          cell: (r) => tMaybe(`direction.${r.direction ?? ''}`, r.direction ?? '—'),
        },
        { label: t('rec.col.queue'), cell: (r) => r.queue ?? '—' },
        { label: t('rec.col.purposes'), cell: (r) => purposeList(r.purposes) },
        { label: t('rec.col.expires'), cell: (r) => formatDate(r.expiresAt ?? undefined) },
      ]}
    />
  );
}

interface MyEvaluation {
  id: string;
  createdAt?: number;
  evaluatorId?: string;
  recordingId?: string;
  content?: { score?: { total?: number | null; flagged?: boolean }; comment?: string; purpose?: string };
}

/** R-EMP-7: the evaluations about me (the API returns only the agent's own to an agent). */
export function MyEvaluations(): JSX.Element {
  return (
    <ListPage<MyEvaluation>
      title={t('nav.myEvaluations')}
      intro={t('me.evaluations.intro')}
      url="/api/evaluations"
      route="GET /api/evaluations"
      rowKey={(e) => e.id}
      empty={t('me.evaluations.empty')}
      columns={[
        { label: t('rec.col.date'), cell: (e) => formatDateTime(e.createdAt) },
        { label: t('eval.evaluator'), cell: (e) => e.evaluatorId ?? '—' },
        {
          label: t('audit.col.purpose'),
          cell: (e) => tMaybe(`purpose.${e.content?.purpose ?? ''}`, e.content?.purpose ?? '—'),
        },
        {
          label: t('eval.score'),
          cell: (e) => {
            const s = e.content?.score;
            if (s?.total === undefined || s.total === null) return '—';
            return s.flagged ? <Badge tone="danger">{String(s.total)}</Badge> : String(s.total);
          },
          numeric: true,
        },
        { label: t('eval.comment'), cell: (e) => e.content?.comment || '—' },
      ]}
    />
  );
}

interface Listener {
  at: number | string;
  recordingId?: string | null;
  action?: string;
  /** The listener's role (the API does not name colleagues to agents). */
  listenerRole?: string;
  actor?: string;
  purpose?: string | null;
}

/** R-EMP-7: who listened to my calls and when (read from the access log about the agent themself). */
export function MyListeners(): JSX.Element {
  return (
    <ListPage<Listener>
      title={t('nav.myListeners')}
      intro={t('me.listeners.intro')}
      url="/api/me/listeners"
      route="GET /api/me/listeners"
      rowKey={(l, i) => `${String(l.at)}-${i}`}
      empty={t('me.listeners.empty')}
      columns={[
        { label: t('audit.col.at'), cell: (l) => formatDateTime(l.at) },
        { label: t('audit.col.actor'), cell: (l) => l.actor ?? '—' },
        {
          label: t('audit.col.role'),
          cell: (l) => tMaybe(`role.${l.listenerRole ?? ''}`, l.listenerRole ?? '—'),
        },
        { label: t('audit.col.action'), cell: (l) => tMaybe(`action.${l.action ?? ''}`, l.action ?? '—') },
        {
          label: t('audit.col.purpose'),
          cell: (l) => (l.purpose ? tMaybe(`purpose.${l.purpose}`, l.purpose) : '—'),
        },
        { label: t('eval.recording'), cell: (l) => l.recordingId ?? '—' },
      ]}
    />
  );
}
