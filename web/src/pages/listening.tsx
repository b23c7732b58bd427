import type { JSX } from 'preact';
import { formatDateTime, formatDuration, t, tMaybe } from '../i18n/index.ts';
import { ListPage } from '../components/list-page.tsx';
import { Badge } from '../components/ui.tsx';

interface LiveCall {
  callId: string;
  startedAt: number | string;
  agentId?: string;
  team?: string;
  queue?: string;
  direction?: string;
  policyId?: string;
  purposes?: string[];
  /** R-EMP-6: true only when an active policy allows live listening for this call. */
  listenable?: boolean;
}

/** Live calls the user may join (R-EMP-6: only inside an active policy that allows live listening). */
export function LivePage(): JSX.Element {
  return (
    <ListPage<LiveCall>
      title={t('live.title')}
      intro={t('live.intro')}
      url="/api/calls/live"
      route="GET /api/calls/live"
      rowKey={(c) => c.callId}
      empty={t('live.empty')}
      columns={[
        { label: t('rec.col.date'), cell: (c) => formatDateTime(c.startedAt) },
        {
          label: t('rec.col.duration'),
          cell: (c) => formatDuration(Date.now() - new Date(c.startedAt).getTime()),
          numeric: true,
        },
        { label: t('rec.col.agent'), cell: (c) => c.agentId ?? '—' },
        { label: t('rec.col.team'), cell: (c) => c.team ?? '—' },
        { label: t('rec.col.queue'), cell: (c) => c.queue ?? '—' },
        {
          label: t('rec.col.purposes'),
          cell: (c) => (c.purposes ?? []).map((p) => tMaybe(`purpose.${p}`, p)).join(', '),
        },
        {
          label: t('live.col.listen'),
          cell: (c) =>
            c.listenable ? (
              <Badge tone="ok">{t('live.allowed')}</Badge>
            ) : (
              <Badge tone="neutral">{t('live.notAllowed')}</Badge>
            ),
        },
      ]}
    />
  );
}

interface EvaluationRow {
  id: string;
  recordingId?: string;
  agentId?: string;
  evaluatorId?: string;
  createdAt?: number | string;
  score?: number;
}

export function EvaluationsPage(): JSX.Element {
  return (
    <ListPage<EvaluationRow>
      title={t('nav.evaluations')}
      intro={t('home.d.evaluations')}
      url="/api/evaluations"
      route="GET /api/evaluations"
      rowKey={(e) => e.id}
      columns={[
        { label: t('rec.col.date'), cell: (e) => formatDateTime(e.createdAt) },
        { label: t('rec.col.agent'), cell: (e) => e.agentId ?? '—' },
        { label: t('eval.evaluator'), cell: (e) => e.evaluatorId ?? '—' },
        {
          label: t('eval.recording'),
          cell: (e) =>
            e.recordingId ? (
              <a href={`/recordings/${encodeURIComponent(e.recordingId)}`}>{e.recordingId}</a>
            ) : (
              '—'
            ),
        },
        {
          label: t('eval.score'),
          cell: (e) => (e.score === undefined ? '—' : String(e.score)),
          numeric: true,
        },
      ]}
    />
  );
}
