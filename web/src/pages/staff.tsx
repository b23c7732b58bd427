/**
 * The DPO's staff page: the consultation of the staff representatives on record (R-EMP-1), the form that
 * records one, and how many agents acknowledged each version of the employee notice (R-EMP-2, counts
 * only). Reads `GET /api/staff/consultation` and `GET /api/staff/notices`; records through
 * `POST /api/staff/consultation`, which the API allows the DPO (`policy_change`) and logs.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { formatDate, formatDateTime, t } from '../i18n/index.ts';
import { Badge, DataTable, ErrorNotice, Field, Page, Resource, useResource } from '../components/ui.tsx';
import { announce, useSession } from '../session.ts';

type Params = { params: Record<string, string> };

/** Rule ids are shown as they are, in every language. */
const CONSULTATION_RULE = 'R-EMP-1';
const NOTICE_RULE = 'R-EMP-2';

/** `consultation` of `GET /api/staff/consultation` (src/api/staff/staff.routes.ts). */
interface Consultation {
  kind: 'cse_minutes' | 'no_cse_declaration';
  /** YYYY-MM-DD of the CSE meeting or of the declaration. */
  heldOn: string;
  /** The minutes' reference (cse_minutes). */
  reference?: string;
  /** Why there is no CSE (no_cse_declaration). */
  reason?: string;
  recordedAt: number;
}

/** `GET /api/staff/notices`: counts per employee notice version, never a name. */
interface Notices {
  agents: number;
  current: number | null;
  versions: { version: number; acknowledged: number; current: boolean }[];
}

/** R-EMP-1: the consultation on record, or a danger badge with the rule id when there is none. */
function ConsultationCard(props: { c: Consultation | null }): JSX.Element {
  const c = props.c;
  if (!c)
    return (
      <div class="card" data-testid="consultation">
        <p>
          <Badge tone="danger">{CONSULTATION_RULE}</Badge> <Badge tone="danger">{t('staff.missing')}</Badge>
        </p>
        <p class="muted">{t('staff.missingWhy')}</p>
      </div>
    );
  const minutes = c.kind === 'cse_minutes';
  return (
    <dl class="kv card" data-testid="consultation">
      <dt>{t('staff.kind')}</dt>
      <dd>
        <Badge tone="ok">{minutes ? t('staff.kind.cse') : t('staff.kind.none')}</Badge>
      </dd>
      <dt>{t('staff.date')}</dt>
      <dd>{formatDate(c.heldOn)}</dd>
      <dt>{minutes ? t('staff.reference') : t('staff.reason')}</dt>
      <dd>{(minutes ? c.reference : c.reason) ?? '—'}</dd>
      <dt>{t('staff.recordedAt')}</dt>
      <dd>{formatDateTime(c.recordedAt)}</dd>
    </dl>
  );
}

/** Today as YYYY-MM-DD in the browser's zone: a consultation cannot lie in the future (the API refuses it). */
const today = (): string => {
  const d = new Date();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};

/** R-EMP-1: records the CSE minutes (date, reference) or the declaration that there is no CSE. */
function RecordConsultation(props: { onDone: () => void }): JSX.Element {
  const [kind, setKind] = useState<Consultation['kind']>('cse_minutes');
  const [heldOn, setHeldOn] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const minutes = kind === 'cse_minutes';
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api(
        'POST',
        '/api/staff/consultation',
        minutes ? { heldOn, reference: text } : { none: true, reason: text, ...(heldOn ? { heldOn } : {}) },
      );
      setText('');
      announce(t('staff.recorded'));
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card form" onSubmit={(e) => void submit(e)} aria-labelledby="record-consultation">
      <h2 id="record-consultation" class="h3">
        {t('staff.record')}
      </h2>
      <fieldset>
        <legend>{t('staff.kind')}</legend>
        <div class="radios" role="radiogroup">
          {(['cse_minutes', 'no_cse_declaration'] as const).map((k) => (
            <label key={k} class="radio">
              <input
                type="radio"
                name="consultation-kind"
                value={k}
                checked={kind === k}
                onChange={() => setKind(k)}
              />
              {k === 'cse_minutes' ? t('staff.kind.cse') : t('staff.kind.none')}
            </label>
          ))}
        </div>
      </fieldset>
      <Field
        label={t('staff.date')}
        id="consultation-date"
        hint={minutes ? undefined : t('staff.dateHintNone')}
      >
        <input
          id="consultation-date"
          type="date"
          max={today()}
          required={minutes}
          value={heldOn}
          onInput={(e) => setHeldOn(e.currentTarget.value)}
        />
      </Field>
      <Field label={minutes ? t('staff.reference') : t('staff.reason')} id="consultation-text">
        <input
          id="consultation-text"
          required
          minLength={minutes ? 1 : 3}
          maxLength={minutes ? 200 : 500}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </Field>
      {error ? <ErrorNotice error={error} /> : null}
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {t('staff.save')}
      </button>
    </form>
  );
}

/** R-EMP-2: each notice version with how many agents acknowledged it, out of the directory's agents. */
function NoticeTable(props: { n: Notices }): JSX.Element {
  const { n } = props;
  const current = n.versions.find((v) => v.current);
  const missing = current ? n.agents - current.acknowledged : 0;
  return (
    <>
      {n.current === null ? (
        <p class="notice notice-info">{t('staff.noPolicy')}</p>
      ) : missing > 0 ? (
        <p class="notice notice-warn" data-testid="notice-pending">
          <Badge tone="warn">{NOTICE_RULE}</Badge> {t('staff.pending', { n: missing, version: n.current })}
        </p>
      ) : null}
      <DataTable
        caption={t('staff.notices')}
        rows={n.versions}
        rowKey={(v) => String(v.version)}
        empty={t('staff.noAcks')}
        columns={[
          { label: t('pol.col.version'), cell: (v) => String(v.version), numeric: true },
          {
            label: t('rec.col.state'),
            cell: (v) =>
              v.current ? <Badge tone="info">{t('staff.inForce')}</Badge> : t('staff.superseded'),
          },
          {
            label: t('staff.acknowledged'),
            cell: (v) => t('staff.outOf', { n: v.acknowledged, total: n.agents }),
            numeric: true,
          },
        ]}
      />
    </>
  );
}

/** R-EMP-1 (staff consultation) and R-EMP-2 (employee notice acknowledged by each agent). */
export function Staff(_: Params): JSX.Element {
  const { me } = useSession();
  const [consultation, reload] = useResource<{ consultation: Consultation | null }>(
    '/api/staff/consultation',
  );
  const [notices] = useResource<Notices>('/api/staff/notices');
  // The API lets the DPO record a consultation (policy_change); the auditor reads only.
  const mayRecord = me.roles.includes('dpo');
  return (
    <Page title={t('nav.staff')} intro={t('staff.intro')}>
      <h2 class="h3">{t('staff.consultation')}</h2>
      <Resource res={consultation} route="GET /api/staff/consultation">
        {(d) => <ConsultationCard c={d.consultation} />}
      </Resource>
      {mayRecord ? <RecordConsultation onDone={reload} /> : null}
      <h2 class="h3">{t('staff.notices')}</h2>
      <Resource res={notices} route="GET /api/staff/notices">
        {(d) => <NoticeTable n={d} />}
      </Resource>
    </Page>
  );
}
