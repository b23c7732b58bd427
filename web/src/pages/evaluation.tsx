/**
 * The evaluation grid beside the player: choose a grid, answer each criterion, comment, save. The API
 * scores it (the score never moves afterwards: it names the grid version) and refuses a comment holding
 * personal data (R-MIN-1): the refusal lists the kinds found (email, phone, card, IBAN), never the values.
 * The purpose is one of the recording's own (R-MIN-2). Earlier evaluations of the recording are listed.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, Unavailable } from '../api.ts';
import { formatDateTime, t, tMaybe } from '../i18n/index.ts';
import { Badge, ErrorNotice, Field, NotAvailable, Resource, useResource } from '../components/ui.tsx';
import { announce, useSession } from '../session.ts';

interface GridSummary {
  gridId: string;
  name: string;
  latestVersion: number;
  retired?: boolean;
}
interface Criterion {
  id: string;
  label: string;
  kind: 'scale' | 'yes_no';
  max?: number;
  critical?: boolean;
  allowNa?: boolean;
}
interface GridVersion {
  gridId: string;
  version: number;
  name: string;
  sections: { id: string; title: string; criteria: Criterion[] }[];
}
type Answer = number | 'yes' | 'no' | 'na';
interface Evaluation {
  id: string;
  createdAt: number;
  evaluatorId: string;
  content?: { score?: { total: number | null; flagged?: boolean }; comment?: string; purpose?: string };
}

const EVALUATION_PURPOSES = ['evaluation', 'quality', 'training'];

/** R-MIN-1: the kinds of personal data the API found in the comment. */
function findingsOf(e: unknown): string[] {
  if (!(e instanceof ApiError) || !Array.isArray(e.problem.findings)) return [];
  const kinds = (e.problem.findings as { kind?: string }[]).map((f) => f.kind ?? '?');
  return [...new Set(kinds)];
}

/** The rule the refusal cites (R-MIN-1 for personal data in an analysis document). */
const ruleOf = (e: unknown): string => (e instanceof ApiError && e.rule) || 'R-MIN-1';

function CriterionInput(props: {
  c: Criterion;
  value: Answer | undefined;
  onChange: (a: Answer) => void;
}): JSX.Element {
  const { c } = props;
  const id = `crit-${c.id}`;
  if (c.kind === 'scale')
    return (
      <Field label={c.label} id={id}>
        <select
          id={id}
          value={props.value === undefined ? '' : String(props.value)}
          onChange={(e) => {
            const v = e.currentTarget.value;
            props.onChange(v === 'na' ? 'na' : Number(v));
          }}
        >
          <option value="">{t('eval.choose')}</option>
          {Array.from({ length: (c.max ?? 5) + 1 }, (_, i) => (
            <option key={i} value={String(i)}>
              {`${i} / ${c.max ?? 5}`}
            </option>
          ))}
          {c.allowNa ? <option value="na">{t('eval.na')}</option> : null}
        </select>
      </Field>
    );
  const options: Answer[] = c.allowNa ? ['yes', 'no', 'na'] : ['yes', 'no'];
  return (
    <fieldset class="eval-yesno">
      <legend>
        {c.label} {c.critical ? <Badge tone="warn">{t('eval.critical')}</Badge> : null}
      </legend>
      {options.map((o) => (
        <label key={String(o)}>
          <input
            type="radio"
            name={id}
            value={String(o)}
            checked={props.value === o}
            onChange={() => props.onChange(o)}
          />{' '}
          {t(o === 'yes' ? 'common.yes' : o === 'no' ? 'common.no' : 'eval.na')}
        </label>
      ))}
    </fieldset>
  );
}

function GridForm(props: {
  recordingId: string;
  purposes: readonly string[];
  grid: GridVersion;
  onSaved: () => void;
}): JSX.Element {
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  const [comment, setComment] = useState('');
  const [purpose, setPurpose] = useState(props.purposes.length === 1 ? (props.purposes[0] ?? '') : '');
  const [error, setError] = useState<unknown>(undefined);
  const [score, setScore] = useState<number | null | undefined>(undefined);
  const criteria = props.grid.sections.flatMap((s) => s.criteria);
  const complete = criteria.every((c) => answers[c.id] !== undefined) && purpose !== '';
  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    try {
      const r = await api<Evaluation>('POST', '/api/evaluations', {
        recordingId: props.recordingId,
        purpose,
        gridId: props.grid.gridId,
        gridVersion: props.grid.version,
        answers,
        ...(comment.trim() ? { comment } : {}),
      });
      const total = r.content?.score?.total ?? null;
      setScore(total);
      announce(t('eval.saved', { score: total ?? '—' }));
      props.onSaved();
    } catch (err) {
      setError(err);
    }
  };
  const found = findingsOf(error);
  return (
    <form class="form" onSubmit={(e) => void save(e)} data-testid="eval-form">
      <Field label={t('audit.col.purpose')} id="eval-purpose">
        <select id="eval-purpose" value={purpose} onChange={(e) => setPurpose(e.currentTarget.value)}>
          <option value="">{t('eval.choose')}</option>
          {props.purposes.map((p) => (
            <option key={p} value={p}>
              {tMaybe(`purpose.${p}`, p)}
            </option>
          ))}
        </select>
      </Field>
      {props.grid.sections.map((s) => (
        <section key={s.id} aria-label={s.title}>
          <h3 class="h4">{s.title}</h3>
          {s.criteria.map((c) => (
            <CriterionInput
              key={c.id}
              c={c}
              value={answers[c.id]}
              onChange={(a) => setAnswers({ ...answers, [c.id]: a })}
            />
          ))}
        </section>
      ))}
      <Field label={t('eval.comment')} id="eval-comment" hint={t('eval.commentHint')}>
        <textarea
          id="eval-comment"
          rows={3}
          value={comment}
          onInput={(e) => setComment(e.currentTarget.value)}
        />
      </Field>
      {found.length > 0 ? (
        <div class="notice notice-danger" role="alert" data-testid="eval-personal-data">
          <Badge tone="danger">{ruleOf(error)}</Badge> {t('eval.personalData')}{' '}
          {found.map((k) => (
            <Badge key={k} tone="danger">
              {tMaybe(`finding.${k}`, k)}
            </Badge>
          ))}
        </div>
      ) : error ? (
        <ErrorNotice error={error} />
      ) : null}
      {score !== undefined ? (
        <p class="notice notice-ok" role="status" data-testid="eval-score">
          {t('eval.saved', { score: score ?? '—' })}
        </p>
      ) : null}
      <button type="submit" class="btn btn-primary" disabled={!complete} data-testid="eval-save">
        {t('eval.save')}
      </button>
    </form>
  );
}

function GridPicker(props: {
  recordingId: string;
  purposes: readonly string[];
  onSaved: () => void;
}): JSX.Element {
  const [grids] = useResource<GridSummary[]>('/api/evaluation-grids');
  const [gridId, setGridId] = useState('');
  const [grid] = useResource<GridVersion>(
    gridId ? `/api/evaluation-grids/${encodeURIComponent(gridId)}` : null,
  );
  return (
    <Resource res={grids} route="GET /api/evaluation-grids">
      {(list) => {
        const open = list.filter((g) => !g.retired);
        if (open.length === 0) return <p class="muted">{t('eval.noGrid')}</p>;
        return (
          <>
            <Field label={t('eval.grid')} id="eval-grid">
              <select id="eval-grid" value={gridId} onChange={(e) => setGridId(e.currentTarget.value)}>
                <option value="">{t('eval.choose')}</option>
                {open.map((g) => (
                  <option key={g.gridId} value={g.gridId}>
                    {`${g.name} (v${g.latestVersion})`}
                  </option>
                ))}
              </select>
            </Field>
            {gridId ? (
              <Resource res={grid} route="GET /api/evaluation-grids/:id">
                {(g) => (
                  <GridForm
                    key={`${g.gridId}@${g.version}`}
                    recordingId={props.recordingId}
                    purposes={props.purposes}
                    grid={g}
                    onSaved={props.onSaved}
                  />
                )}
              </Resource>
            ) : null}
          </>
        );
      }}
    </Resource>
  );
}

export function EvaluationPanel(props: { recordingId: string; purposes: readonly string[] }): JSX.Element {
  const { me } = useSession();
  const purposes = props.purposes.filter((p) => EVALUATION_PURPOSES.includes(p));
  const [list, reload] = useResource<Evaluation[]>(
    `/api/evaluations?recordingId=${encodeURIComponent(props.recordingId)}`,
  );
  return (
    <aside class="card eval-panel" aria-labelledby="eval-title" data-testid="eval-panel">
      <h2 id="eval-title" class="h3">
        {t('eval.title')}
      </h2>
      {purposes.length === 0 ? (
        <p class="muted">{t('eval.noPurpose')}</p>
      ) : (
        <GridPicker recordingId={props.recordingId} purposes={purposes} onSaved={reload} />
      )}
      <h3 class="h4">{t('eval.previous')}</h3>
      {list.state === 'unavailable' ? (
        <NotAvailable route="GET /api/evaluations" />
      ) : list.state === 'error' && !(list.error instanceof Unavailable) ? (
        <ErrorNotice error={list.error} />
      ) : list.state === 'ready' ? (
        list.data.length === 0 ? (
          <p class="muted">{t('eval.none')}</p>
        ) : (
          <ul class="eval-list" data-testid="eval-list">
            {list.data.map((e) => (
              <li key={e.id}>
                {formatDateTime(e.createdAt)} ·{' '}
                {e.evaluatorId === me.id ? t('eval.byYou') : t('eval.byOther')} ·{' '}
                <strong>{String(e.content?.score?.total ?? '—')}</strong>
                {e.content?.score?.flagged ? <Badge tone="danger">{t('eval.flagged')}</Badge> : null}
              </li>
            ))}
          </ul>
        )
      ) : null}
    </aside>
  );
}
