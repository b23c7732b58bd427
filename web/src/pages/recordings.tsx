import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { itemsOf, qs } from '../api.ts';
import { formatDateTime, formatDuration, t, tMaybe } from '../i18n/index.ts';
import { navigate, useLocation } from '../router.ts';
import { PURPOSES } from '../session.ts';
import { Badge, DataTable, Field, Page, Resource, useResource, type Tone } from '../components/ui.tsx';
import { RECORDING_STATES, type RecordingSummary } from './model.ts';

export const PAGE_SIZE = 50;
const FILTERS = [
  'from',
  'to',
  'agent',
  'team',
  'queue',
  'direction',
  'policy',
  'purpose',
  'minDurationS',
  'maxDurationS',
  'state',
] as const;
type Filter = (typeof FILTERS)[number];
export function stateTone(state: string | undefined): Tone {
  switch (state) {
    case 'sealed':
      return 'ok';
    case 'recording':
    case 'paused':
      return 'info';
    case 'interrupted':
      return 'warn';
    case 'failed':
      return 'danger';
    default:
      return 'neutral';
  }
}

interface SearchResult {
  items: RecordingSummary[];
  total?: number;
}

/** Server-side filtering and pagination (the list must paint in under 1 s with 10,000 recordings). */
/** The API query for the console URL's query: readable names (days, seconds) → epoch ms and API fields. */
export function recordingsApiUrl(query: URLSearchParams): string {
  const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
  const applied: Partial<Record<Filter, string>> = {};
  for (const f of FILTERS) applied[f] = query.get(f) ?? '';
  const seconds = (s: string | undefined): number | undefined =>
    s ? Math.round(Number(s) * 1000) : undefined;
  return `/api/recordings${qs({
    from: applied.from ? new Date(`${applied.from}T00:00:00`).getTime() : undefined,
    to: applied.to ? new Date(`${applied.to}T23:59:59.999`).getTime() : undefined,
    agentId: applied.agent,
    team: applied.team,
    queue: applied.queue,
    direction: applied.direction,
    policyId: applied.policy,
    purpose: applied.purpose,
    minDurationMs: seconds(applied.minDurationS),
    maxDurationMs: seconds(applied.maxDurationS),
    state: applied.state,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  })}`;
}

export function RecordingsPage(): JSX.Element {
  const loc = useLocation();
  const page = Math.max(1, Number(loc.query.get('page') ?? '1') || 1);
  const applied: Partial<Record<Filter, string>> = {};
  for (const f of FILTERS) applied[f] = loc.query.get(f) ?? '';
  const [res] = useResource<SearchResult | RecordingSummary[]>(recordingsApiUrl(loc.query));

  const go = (next: Partial<Record<Filter | 'page', string>>): void => {
    const merged: Record<string, string | undefined> = { ...applied, ...next };
    navigate(`/recordings${qs(merged)}`);
  };

  return (
    <Page title={t('rec.title')} intro={t('rec.intro')}>
      <Filters initial={applied} onApply={(f) => go({ ...f, page: '' })} />
      <Resource res={res} route="GET /api/recordings">
        {(data) => {
          const { items, total } = itemsOf(data);
          const pages = total !== undefined ? Math.max(1, Math.ceil(total / PAGE_SIZE)) : undefined;
          return (
            <>
              <p class="muted" role="status" data-testid="result-count">
                {total !== undefined
                  ? t('rec.count', { n: total })
                  : t('rec.countUnknown', { n: items.length })}
              </p>
              <PaintMark />
              <DataTable
                caption={t('rec.title')}
                rows={items}
                rowKey={(r) => r.id}
                empty={t('rec.empty')}
                columns={[
                  {
                    label: t('rec.col.date'),
                    cell: (r) => (
                      <a href={`/recordings/${encodeURIComponent(r.id)}`} data-testid="open-recording">
                        {formatDateTime(r.startedAt)}
                      </a>
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
                  { label: t('rec.col.agent'), cell: (r) => r.agentName ?? r.agentId ?? '—' },
                  { label: t('rec.col.team'), cell: (r) => r.team ?? '—' },
                  { label: t('rec.col.queue'), cell: (r) => r.queue ?? '—' },
                  {
                    label: t('rec.col.purposes'),
                    cell: (r) => (r.purposes ?? []).map((p) => tMaybe(`purpose.${p}`, p)).join(', '),
                  },
                  {
                    label: t('rec.col.state'),
                    cell: (r) => (
                      <Badge tone={stateTone(r.state)}>
                        {tMaybe(`state.${r.state ?? ''}`, r.state ?? '—')}
                      </Badge>
                    ),
                  },
                ]}
              />
              <Pager
                page={page}
                pages={pages}
                hasMore={items.length === PAGE_SIZE}
                go={(p) => go({ page: String(p) })}
              />
            </>
          );
        }}
      </Resource>
    </Page>
  );
}

/** `performance.mark` when the first rows are on screen: the first meaningful paint, measured by the e2e test. */
function PaintMark(): null {
  useEffect(() => {
    if (performance.getEntriesByName('ecoute:recordings-painted').length === 0)
      requestAnimationFrame(() => performance.mark('ecoute:recordings-painted'));
  }, []);
  return null;
}

function Pager(props: {
  page: number;
  pages: number | undefined;
  hasMore: boolean;
  go: (p: number) => void;
}): JSX.Element {
  const canNext = props.pages !== undefined ? props.page < props.pages : props.hasMore;
  return (
    <nav class="pager" aria-label={t('pager.label')}>
      <button type="button" class="btn" disabled={props.page <= 1} onClick={() => props.go(props.page - 1)}>
        {t('pager.prev')}
      </button>
      <span aria-current="page">
        {props.pages !== undefined
          ? t('pager.pageOf', { page: props.page, pages: props.pages })
          : t('pager.page', { page: props.page })}
      </span>
      <button type="button" class="btn" disabled={!canNext} onClick={() => props.go(props.page + 1)}>
        {t('pager.next')}
      </button>
    </nav>
  );
}

function Filters(props: {
  initial: Partial<Record<Filter, string>>;
  onApply: (f: Partial<Record<Filter, string>>) => void;
}): JSX.Element {
  const [f, setF] = useState(props.initial);
  const set = (k: Filter) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const text = (k: Filter, label: string, type: 'text' | 'date' | 'number' = 'text'): JSX.Element => (
    <Field label={label} id={`f-${k}`}>
      {/* Preact's input types are a union per `type`; one generic field is simpler than three. */}
      <input
        id={`f-${k}`}
        type={type as 'text'}
        value={f[k] ?? ''}
        onInput={set(k)}
        min={type === 'number' ? 0 : undefined}
      />
    </Field>
  );
  return (
    <form
      class="filters card"
      role="search"
      aria-label={t('rec.filters')}
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply(f);
      }}
    >
      {text('from', t('rec.f.from'), 'date')}
      {text('to', t('rec.f.to'), 'date')}
      {text('agent', t('rec.f.agent'))}
      {text('team', t('rec.f.team'))}
      {text('queue', t('rec.f.queue'))}
      <Field label={t('rec.f.direction')} id="f-direction">
        <select id="f-direction" value={f.direction ?? ''} onChange={set('direction')}>
          <option value="">{t('common.any')}</option>
          <option value="inbound">{t('direction.inbound')}</option>
          <option value="outbound">{t('direction.outbound')}</option>
        </select>
      </Field>
      {text('policy', t('rec.f.policy'))}
      <Field label={t('rec.f.purpose')} id="f-purpose">
        <select id="f-purpose" value={f.purpose ?? ''} onChange={set('purpose')}>
          <option value="">{t('common.any')}</option>
          {PURPOSES.map((p) => (
            <option value={p} key={p}>
              {tMaybe(`purpose.${p}`, p)}
            </option>
          ))}
        </select>
      </Field>
      {text('minDurationS', t('rec.f.minDuration'), 'number')}
      {text('maxDurationS', t('rec.f.maxDuration'), 'number')}
      <Field label={t('rec.f.state')} id="f-state">
        <select id="f-state" value={f.state ?? ''} onChange={set('state')}>
          <option value="">{t('common.any')}</option>
          {RECORDING_STATES.map((s) => (
            <option value={s} key={s}>
              {tMaybe(`state.${s}`, s)}
            </option>
          ))}
        </select>
      </Field>
      <div class="filters-actions">
        <button type="submit" class="btn btn-primary">
          {t('rec.search')}
        </button>
        <button
          type="button"
          class="btn btn-ghost"
          onClick={() => {
            setF({});
            props.onApply({});
          }}
        >
          {t('rec.reset')}
        </button>
      </div>
    </form>
  );
}
