/**
 * The DPO's policies: the file in force with its validation (rule ids and messages as `ecoute policy check`
 * prints them), each policy retirable, the stored versions, and a draft checked then activated whole
 * (R-PUR-*, R-EMP-1, R-CAL-3; the API refuses an invalid file and logs every change, R-SEC-2).
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, Unavailable } from '../api.ts';
import { formatDate, formatDateTime, getLang, t, tMaybe } from '../i18n/index.ts';
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

interface Violation {
  rule: string;
  path?: string;
  message: string | { fr: string; en: string };
}
export interface CheckResult {
  ok: boolean;
  violations: Violation[];
}
interface InForcePolicy {
  id: string;
  version?: number;
  purposes?: string[];
  liveListening?: boolean;
  sampling?: { rate?: number; maxPerAgentPerDay?: number };
  campaign?: { startsAt?: string; endsAt?: string };
  scope?: { teams?: string[] };
}
interface PolicyVersion {
  id: string;
  version: number;
  state: string;
  createdAt?: number;
  createdBy?: string;
  activatedAt?: number | null;
  retiredAt?: number | null;
}
interface PoliciesAnswer {
  inForce: { policies?: InForcePolicy[] } | null;
  check: CheckResult | null;
  versions: PolicyVersion[];
}

const messageOf = (v: Violation): string =>
  typeof v.message === 'string' ? v.message : v.message[getLang()];

/** Violations as the CLI prints them: `RULE path message`, in the current language. */
export function Violations(props: { result: CheckResult; testId?: string }): JSX.Element {
  const id = props.testId ?? 'check';
  if (props.result.ok)
    return (
      <p class="notice notice-ok" role="status" data-testid={`${id}-ok`}>
        {t('pol.valid')}
      </p>
    );
  return (
    <ul class="violations" data-testid={`${id}-violations`} aria-label={t('pol.violations')}>
      {props.result.violations.map((v, i) => (
        <li key={i}>
          <Badge tone="danger">{v.rule}</Badge> {v.path ? <code>{v.path}</code> : null} {messageOf(v)}
        </li>
      ))}
    </ul>
  );
}

const formatOf = (name: string, text: string): 'yaml' | 'json' =>
  name.endsWith('.json') || text.trimStart().startsWith('{') ? 'json' : 'yaml';

/** Check a draft; once it passes, activate it (the API re-checks and records the change). */
function PolicyDraft(props: { onActivated: () => void }): JSX.Element {
  const [text, setText] = useState('');
  const [format, setFormat] = useState<'yaml' | 'json'>('yaml');
  const [result, setResult] = useState<CheckResult | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const edit = (next: string, fmt = format): void => {
    setText(next);
    setFormat(fmt);
    setResult(undefined); // a verdict belongs to the text it was given for
  };
  const run = async (verb: 'check' | 'activate'): Promise<void> => {
    setError(undefined);
    setBusy(true);
    try {
      if (verb === 'check') {
        const r = await api<CheckResult>('POST', '/api/policies/check', { text, format });
        setResult(r);
        announce(r.ok ? t('pol.valid') : t('pol.invalidCount', { n: r.violations.length }));
      } else {
        const r = await api<{ activated: string[] }>('POST', '/api/policies/activate', { text, format });
        announce(t('pol.activatedList', { ids: r.activated.join(', ') || '—' }));
        edit('');
        props.onActivated();
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const load = (input: HTMLInputElement): void => {
    const file = input.files?.[0];
    if (file) void file.text().then((s) => edit(s, formatOf(file.name, s)));
  };
  return (
    <form
      class="card form"
      onSubmit={(e) => (e.preventDefault(), void run('check'))}
      aria-labelledby="check-title"
    >
      <h2 id="check-title" class="h3">
        {t('pol.check')}
      </h2>
      <Field label={t('pol.file')} id="policy-file">
        <input
          id="policy-file"
          type="file"
          accept=".yaml,.yml,.json"
          onChange={(e) => load(e.currentTarget)}
        />
      </Field>
      <Field label={t('pol.text')} id="policy-text" hint={t('pol.textHint')}>
        <textarea
          id="policy-text"
          rows={12}
          spellcheck={false}
          value={text}
          onInput={(e) => edit(e.currentTarget.value)}
        />
      </Field>
      <Field label={t('pol.format')} id="policy-format">
        <select
          id="policy-format"
          value={format}
          onChange={(e) => setFormat(e.currentTarget.value === 'json' ? 'json' : 'yaml')}
        >
          <option value="yaml">{t('pol.yaml')}</option>
          <option value="json">{t('pol.json')}</option>
        </select>
      </Field>
      <div class="row">
        <button type="submit" class="btn" data-testid="check-policy" disabled={busy || !text}>
          {t('pol.checkButton')}
        </button>
        <button
          type="button"
          class="btn btn-primary"
          data-testid="activate-policy"
          disabled={busy || result?.ok !== true}
          title={result?.ok === true ? undefined : t('pol.activateHint')}
          onClick={() => void run('activate')}
        >
          {t('pol.activateFile')}
        </button>
      </div>
      {error instanceof Unavailable ? (
        <NotAvailable route="POST /api/policies/check" />
      ) : error ? (
        <ErrorNotice error={error} />
      ) : null}
      {result ? <Violations result={result} /> : null}
    </form>
  );
}

const campaignOf = (p: InForcePolicy): string =>
  p.campaign ? `${formatDate(p.campaign.startsAt)} → ${formatDate(p.campaign.endsAt)}` : t('pol.noCampaign');

function InForce(props: { data: PoliciesAnswer; onChanged: () => void }): JSX.Element {
  const [error, setError] = useState<unknown>(undefined);
  const retire = async (id: string): Promise<void> => {
    if (!window.confirm(t('pol.retireConfirm', { id }))) return;
    setError(undefined);
    try {
      await api('POST', `/api/policies/${encodeURIComponent(id)}/retire`, {});
      announce(t('pol.retired'));
      props.onChanged();
    } catch (err) {
      setError(err);
    }
  };
  const { inForce, check } = props.data;
  return (
    <section aria-labelledby="inforce-title">
      <h2 id="inforce-title" class="h3">
        {t('pol.inForce')}
      </h2>
      {error ? <ErrorNotice error={error} /> : null}
      {check ? <Violations result={check} testId="inforce" /> : null}
      <DataTable
        caption={t('pol.inForce')}
        rows={inForce?.policies ?? []}
        rowKey={(p) => p.id}
        empty={t('pol.none')}
        columns={[
          { label: t('pol.col.name'), cell: (p) => <code>{p.id}</code> },
          { label: t('pol.col.version'), cell: (p) => String(p.version ?? '—'), numeric: true },
          {
            label: t('rec.col.purposes'),
            cell: (p) => (p.purposes ?? []).map((x) => tMaybe(`purpose.${x}`, x)).join(', '),
          },
          { label: t('pol.col.campaign'), cell: campaignOf },
          {
            label: t('pol.col.sampling'),
            cell: (p) => `${Math.round((p.sampling?.rate ?? 0) * 1000) / 10} %`,
            numeric: true,
          },
          {
            label: t('live.col.listen'),
            cell: (p) => (p.liveListening ? t('common.yes') : t('common.no')),
          },
          {
            label: t('common.actions'),
            cell: (p) => (
              <button
                type="button"
                class="btn btn-small"
                data-testid={`retire-${p.id}`}
                onClick={() => void retire(p.id)}
              >
                {t('pol.retire')}
              </button>
            ),
          },
        ]}
      />
    </section>
  );
}

export function Policies(): JSX.Element {
  const [res, reload] = useResource<PoliciesAnswer>('/api/policies');
  return (
    <Page title={t('nav.policies')} intro={t('pol.intro')}>
      <Resource res={res} route="GET /api/policies">
        {(d) => (
          <>
            <InForce data={d} onChanged={reload} />
            <h2 class="h3">{t('pol.versions')}</h2>
            <DataTable
              caption={t('pol.versions')}
              rows={d.versions}
              rowKey={(v) => `${v.id}@${v.version}`}
              empty={t('pol.noVersions')}
              columns={[
                { label: t('pol.col.name'), cell: (v) => <code>{v.id}</code> },
                { label: t('pol.col.version'), cell: (v) => String(v.version), numeric: true },
                {
                  label: t('rec.col.state'),
                  cell: (v) => (
                    <Badge tone={v.state === 'active' ? 'ok' : 'neutral'}>
                      {tMaybe(`polstate.${v.state}`, v.state)}
                    </Badge>
                  ),
                },
                { label: t('pol.col.by'), cell: (v) => v.createdBy ?? '—' },
                { label: t('pol.col.activatedAt'), cell: (v) => formatDateTime(v.activatedAt ?? undefined) },
                { label: t('pol.col.retiredAt'), cell: (v) => formatDateTime(v.retiredAt ?? undefined) },
              ]}
            />
          </>
        )}
      </Resource>
      <PolicyDraft onActivated={reload} />
    </Page>
  );
}
