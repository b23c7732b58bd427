import type { JSX } from 'preact';
import { formatDateTime, formatDuration, t, tMaybe } from '../i18n/index.ts';
import { ListPage } from '../components/list-page.tsx';
import { Badge } from '../components/ui.tsx';

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
