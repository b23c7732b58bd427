import type { JSX } from 'preact';
import { t, tMaybe } from '../i18n/index.ts';
import { Badge, Page, Resource, useResource } from '../components/ui.tsx';

interface Report {
  period?: { from: string; to: string };
  decisions?: {
    recorded: number;
    notRecorded: number;
    byReason?: { reason: string; ruleId?: string; count: number }[];
  };
  accesses?: { allowed: number; denied: number; byAction?: { action: string; count: number }[] };
  deletions?: number;
  requests?: { open: number; overdue: number };
  chain?: { ok: boolean };
}

/** Horizontal bars in plain CSS; the numbers stay in the table for screen readers. */
function Bars(props: {
  caption: string;
  rows: { label: string; value: number; rule?: string }[];
}): JSX.Element {
  const max = Math.max(1, ...props.rows.map((r) => r.value));
  return (
    <table class="bars">
      <caption>{props.caption}</caption>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.label}>
            <th scope="row">
              {r.label} {r.rule ? <Badge>{r.rule}</Badge> : null}
            </th>
            <td>
              <span class="bar" style={{ width: `${(100 * r.value) / max}%` }} aria-hidden="true" />
              <span class="bar-value">{r.value}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The compliance report: decisions (R-MIN-4 anonymous counters), accesses (R-SEC-2), rights (R-DSR-3). */
export function ComplianceReport(): JSX.Element {
  const [res] = useResource<Report>('/api/compliance/report');
  return (
    <Page title={t('nav.report')} intro={t('report.intro')}>
      <Resource res={res} route="GET /api/compliance/report">
        {(r) => (
          <div class="report">
            <ul class="stats">
              <li class="card stat">
                <span class="stat-value">{r.decisions?.recorded ?? 0}</span>
                <span class="muted">{t('report.recorded')}</span>
              </li>
              <li class="card stat">
                <span class="stat-value">{r.decisions?.notRecorded ?? 0}</span>
                <span class="muted">{t('report.notRecorded')}</span>
              </li>
              <li class="card stat">
                <span class="stat-value">{r.accesses?.denied ?? 0}</span>
                <span class="muted">{t('report.denied')}</span>
              </li>
              <li class="card stat">
                <span class="stat-value">{r.deletions ?? 0}</span>
                <span class="muted">{t('report.deletions')}</span>
              </li>
              <li class="card stat">
                <span class="stat-value">{r.requests?.overdue ?? 0}</span>
                <span class="muted">{t('report.overdue')}</span>
              </li>
            </ul>
            <Bars
              caption={t('report.byReason')}
              rows={(r.decisions?.byReason ?? []).map((x) => ({
                label: x.reason,
                value: x.count,
                rule: x.ruleId,
              }))}
            />
            <Bars
              caption={t('report.byAction')}
              rows={(r.accesses?.byAction ?? []).map((x) => ({
                label: tMaybe(`action.${x.action}`, x.action),
                value: x.count,
              }))}
            />
          </div>
        )}
      </Resource>
    </Page>
  );
}
