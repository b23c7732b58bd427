/**
 * The DPO's governance pages: legal holds (R-RET-6), data-subject requests with their deadlines
 * (R-DSR-1..4), the compliance report (HTML embedded, PDF download) and the generated documents
 * (R-DOC-*, R-EMP-1, R-CAL-3). Every change goes through the API, which logs it (R-SEC-2).
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { formatDate, formatDateTime, getLang, t, tMaybe } from '../i18n/index.ts';
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

const DAY_MS = 86_400_000;

interface Hold {
  id: string;
  reason: string;
  owner: string;
  reviewAt: number;
  createdAt: number;
  releasedAt?: number;
  recordingIds: string[];
  reviewOverdue: boolean;
}

function NewHold(props: { onDone: (run: () => Promise<unknown>, done: string) => void }): JSX.Element {
  const [reason, setReason] = useState('');
  const [owner, setOwner] = useState('');
  const [review, setReview] = useState('');
  const [ids, setIds] = useState('');
  const submit = (e: Event): void => {
    e.preventDefault();
    const recordingIds = ids.split(/[\s,;]+/).filter(Boolean);
    props.onDone(
      () =>
        api('POST', '/api/holds', {
          reason,
          owner,
          reviewAt: new Date(`${review}T00:00:00Z`).toISOString(),
          ...(recordingIds.length ? { recordingIds } : {}),
        }),
      t('holds.created'),
    );
  };
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="new-hold">
      <h2 id="new-hold" class="h3">
        {t('holds.new')}
      </h2>
      <Field label={t('holds.reason')} id="hold-reason">
        <input id="hold-reason" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </Field>
      <Field label={t('holds.owner')} id="hold-owner">
        <input id="hold-owner" required value={owner} onInput={(e) => setOwner(e.currentTarget.value)} />
      </Field>
      <Field label={t('holds.review')} id="hold-review">
        <input
          id="hold-review"
          type="date"
          required
          value={review}
          onInput={(e) => setReview(e.currentTarget.value)}
        />
      </Field>
      <Field label={t('holds.recordings')} id="hold-ids" hint={t('holds.recordingsHint')}>
        <input id="hold-ids" value={ids} onInput={(e) => setIds(e.currentTarget.value)} />
      </Field>
      <button type="submit" class="btn btn-primary">
        {t('holds.create')}
      </button>
    </form>
  );
}

/** R-RET-6: a reason, an owner and a review date on every hold; overdue reviews stand out. */
export function Holds(): JSX.Element {
  const [res, reload] = useResource<{ holds: Hold[] }>('/api/holds');
  const [error, act] = useAction(reload);
  return (
    <Page title={t('nav.holds')} intro={t('holds.intro')}>
      {error ? <ErrorNotice error={error} /> : null}
      <Resource res={res} route="GET /api/holds">
        {(d) => (
          <DataTable
            caption={t('nav.holds')}
            rows={d.holds}
            rowKey={(h) => h.id}
            columns={[
              { label: t('holds.reason'), cell: (h) => h.reason },
              { label: t('holds.owner'), cell: (h) => h.owner },
              { label: t('holds.recordings'), cell: (h) => String(h.recordingIds.length), numeric: true },
              {
                label: t('holds.review'),
                cell: (h) => (
                  <Badge tone={h.reviewOverdue ? 'danger' : 'neutral'}>{formatDate(h.reviewAt)}</Badge>
                ),
              },
              {
                label: t('rec.col.state'),
                cell: (h) =>
                  h.releasedAt ? t('holds.released', { at: formatDate(h.releasedAt) }) : t('holds.active'),
              },
              {
                label: t('common.actions'),
                cell: (h) =>
                  h.releasedAt ? null : (
                    <button
                      type="button"
                      class="btn btn-small"
                      onClick={() =>
                        act(
                          () => api('POST', `/api/holds/${encodeURIComponent(h.id)}/release`, {}),
                          t('holds.releasedNow'),
                        )
                      }
                    >
                      {t('holds.release')}
                    </button>
                  ),
              },
            ]}
          />
        )}
      </Resource>
      <NewHold onDone={act} />
    </Page>
  );
}

interface Dsr {
  id: string;
  kind: string;
  receivedAt: number;
  dueAt: number;
  extendedUntil?: number;
  extensionReason?: string;
  state: string;
  closedAt?: number;
  outcome?: string;
}

const DSR_KINDS = ['access', 'erasure', 'objection', 'rectification'] as const;

function NewRequest(props: { onDone: (run: () => Promise<unknown>, done: string) => void }): JSX.Element {
  const [kind, setKind] = useState<string>('access');
  const [phone, setPhone] = useState('');
  const [customer, setCustomer] = useState('');
  const [agent, setAgent] = useState('');
  const submit = (e: Event): void => {
    e.preventDefault();
    const subject = {
      ...(phone ? { phoneNumber: phone } : {}),
      ...(customer ? { customerId: customer } : {}),
      ...(agent ? { agentId: agent } : {}),
    };
    props.onDone(() => api('POST', '/api/dsr', { kind, ...subject }), t('dsr.registered'));
    setPhone(''); // the number is not kept in the page once sent (the API stores its keyed hash)
  };
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="new-dsr">
      <h2 id="new-dsr" class="h3">
        {t('dsr.new')}
      </h2>
      <Field label={t('dsr.kind')} id="dsr-kind">
        <select id="dsr-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          {DSR_KINDS.map((k) => (
            <option key={k} value={k}>
              {tMaybe(`dsr.kind.${k}`, k)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('dsr.phone')} id="dsr-phone">
        <input id="dsr-phone" type="tel" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />
      </Field>
      <Field label={t('dsr.customer')} id="dsr-customer">
        <input id="dsr-customer" value={customer} onInput={(e) => setCustomer(e.currentTarget.value)} />
      </Field>
      <Field label={t('dsr.agent')} id="dsr-agent">
        <input id="dsr-agent" value={agent} onInput={(e) => setAgent(e.currentTarget.value)} />
      </Field>
      <button type="submit" class="btn btn-primary" disabled={!phone && !customer && !agent}>
        {t('dsr.register')}
      </button>
    </form>
  );
}

const closed = (r: Dsr): boolean => r.state === 'done' || r.state === 'refused';

/** R-DSR-3: one month from receipt (or the justified extension); days left drive the badge. */
function DaysLeft(props: { r: Dsr }): JSX.Element {
  const { r } = props;
  if (closed(r)) return <Badge tone="ok">{t('dsr.closed')}</Badge>;
  const days = Math.ceil(((r.extendedUntil ?? r.dueAt) - Date.now()) / DAY_MS);
  return (
    <Badge tone={days < 0 ? 'danger' : days <= 7 ? 'warn' : 'neutral'}>{t('dsr.days', { n: days })}</Badge>
  );
}

export function Requests(): JSX.Element {
  const [res, reload] = useResource<{ requests: Dsr[] }>('/api/dsr');
  const [error, act] = useAction(reload);
  const base = (r: Dsr): string => `/api/dsr/${encodeURIComponent(r.id)}`;
  const erase = (r: Dsr): void => {
    if (window.confirm(t('dsr.eraseConfirm')))
      act(() => api('POST', `${base(r)}/erase`, {}), t('dsr.erased'));
  };
  return (
    <Page title={t('nav.requests')} intro={t('dsr.intro')}>
      {error ? <ErrorNotice error={error} /> : null}
      <Resource res={res} route="GET /api/dsr">
        {(d) => (
          <DataTable
            caption={t('nav.requests')}
            rows={d.requests}
            rowKey={(r) => r.id}
            columns={[
              { label: t('dsr.kind'), cell: (r) => tMaybe(`dsr.kind.${r.kind}`, r.kind) },
              { label: t('dsr.received'), cell: (r) => formatDate(r.receivedAt) },
              { label: t('dsr.due'), cell: (r) => formatDate(r.extendedUntil ?? r.dueAt) },
              { label: t('dsr.left'), cell: (r) => <DaysLeft r={r} /> },
              { label: t('rec.col.state'), cell: (r) => tMaybe(`dsr.state.${r.state}`, r.state) },
              {
                label: t('common.actions'),
                cell: (r) =>
                  closed(r) ? null : (
                    <div class="row">
                      {r.kind === 'access' ? (
                        <a class="btn btn-small" href={`${base(r)}/export`} download>
                          {t('dsr.export')}
                        </a>
                      ) : null}
                      {r.kind === 'erasure' || r.kind === 'objection' ? (
                        <button type="button" class="btn btn-small" onClick={() => erase(r)}>
                          {t('dsr.erase')}
                        </button>
                      ) : null}
                      <button
                        type="button"
                        class="btn btn-small"
                        onClick={() =>
                          act(
                            () => api('POST', `${base(r)}/close`, { outcome: 'answered' }),
                            t('dsr.closedNow'),
                          )
                        }
                      >
                        {t('dsr.close')}
                      </button>
                    </div>
                  ),
              },
            ]}
          />
        )}
      </Resource>
      <NewRequest onDone={act} />
    </Page>
  );
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The compliance report of a period, as the API renders it (HTML embedded, PDF to download). */
export function Report(): JSX.Element {
  const now = Date.now();
  const [from, setFrom] = useState(isoDay(now - 30 * DAY_MS));
  const [to, setTo] = useState(isoDay(now));
  const q = (format: 'html' | 'pdf'): string =>
    `/api/reports/compliance?${new URLSearchParams({ from, to, lang: getLang(), format }).toString()}`;
  return (
    <Page title={t('nav.report')} intro={t('report.intro')}>
      <div class="card row">
        <Field label={t('report.from')} id="report-from">
          <input id="report-from" type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </Field>
        <Field label={t('report.to')} id="report-to">
          <input id="report-to" type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </Field>
        <a class="btn" href={q('pdf')} download data-testid="report-pdf">
          {t('report.pdf')}
        </a>
      </div>
      {/* Sandboxed: the report is a document to read, it runs nothing in the console's origin. */}
      <iframe
        class="report-frame"
        title={t('nav.report')}
        src={q('html')}
        sandbox=""
        data-testid="report-frame"
      />
    </Page>
  );
}

const DOCS = [
  'record-of-processing',
  'employee-notice',
  'caller-scripts',
  'full-notice',
  'dpia-precheck',
  'cse-file',
] as const;

/** Documents generated from the policy in force, in the console's language. */
export function Documents(): JSX.Element {
  const lang = getLang();
  return (
    <Page title={t('nav.documents')} intro={t('docs.intro')}>
      <DataTable
        caption={t('nav.documents')}
        rows={[...DOCS]}
        rowKey={(d) => d}
        columns={[
          { label: t('docs.title'), cell: (d) => tMaybe(`docs.name.${d}`, d) },
          {
            label: t('common.actions'),
            cell: (d) => (
              <div class="row">
                <a
                  class="btn btn-small"
                  href={`/api/documents/${d}?lang=${lang}`}
                  target="_blank"
                  rel="noopener"
                >
                  {t('docs.open')}
                </a>
                <a
                  class="btn btn-small"
                  href={`/api/documents/${d}?lang=${lang}`}
                  download={`${d}-${lang}.html`}
                >
                  {t('docs.download')}
                </a>
              </div>
            ),
          },
        ]}
      />
      <p class="muted">
        {t('docs.public')}{' '}
        {(['fr', 'en'] as const).map((l) => (
          <a key={l} class="notice-link" href={`/notice/${l}`} target="_blank" rel="noopener">
            {`/notice/${l}`}
          </a>
        ))}
      </p>
      <p class="small muted">{t('docs.generatedAt', { at: formatDateTime(Date.now()) })}</p>
    </Page>
  );
}
