import type { ComponentType, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, isNoRoute, Unavailable } from '../api.ts';
import { formatDateTime, formatDuration, t, tMaybe } from '../i18n/index.ts';
import { Badge, ErrorNotice, NotAvailable, Page, Resource, useResource } from '../components/ui.tsx';
import { announce } from '../session.ts';
import { gapsOf, type Gap, type RecordingDetail } from './model.ts';
import { stateTone } from './recordings.tsx';
import { EvaluationPanel } from './evaluation.tsx';

export interface PlayerProps {
  readonly audio: Blob;
  readonly gaps: readonly Gap[];
  readonly durationMs: number | undefined;
}

/** The player (wavesurfer.js) is its own chunk, fetched only once a recording is opened for listening. */
let playerModule: Promise<ComponentType<PlayerProps>> | undefined;
const loadPlayer = (): Promise<ComponentType<PlayerProps>> =>
  (playerModule ??= import('./player.tsx').then((m) => m.Player));

async function fetchAudio(id: string, purpose: string): Promise<Blob> {
  const res = await fetch(
    `/api/recordings/${encodeURIComponent(id)}/audio?purpose=${encodeURIComponent(purpose)}`,
    {
      credentials: 'same-origin',
    },
  );
  if (res.ok) return res.blob();
  const p = (await res.json().catch(() => ({}))) as {
    code?: string;
    rule?: string;
    detail?: string;
    title?: string;
  };
  if (res.status === 404 && isNoRoute(p)) throw new Unavailable('audio');
  throw new ApiError(res.status, p.code, p.rule, p.detail ?? p.title ?? res.statusText);
}

type Listening =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'ready'; audio: Blob; Player: ComponentType<PlayerProps> }
  | { kind: 'error'; error: unknown };

export function RecordingPage(props: { params: Record<string, string> }): JSX.Element {
  const id = props.params.id ?? '';
  const [res] = useResource<RecordingDetail>(`/api/recordings/${encodeURIComponent(id)}`);
  return (
    <Page title={t('play.title')}>
      <p>
        <a href="/recordings">{t('play.back')}</a>
      </p>
      <Resource res={res} route="GET /api/recordings/:id">
        {(r) => <RecordingView r={r} />}
      </Resource>
    </Page>
  );
}

function RecordingView(props: { r: RecordingDetail }): JSX.Element {
  const r = props.r;
  const purposes = r.purposes ?? [];
  const [purpose, setPurpose] = useState('');
  const [listening, setListening] = useState<Listening>({ kind: 'idle' });
  const gaps = gapsOf(r);

  // R-MIN-2: no audio is requested before a purpose among the recording's own is chosen; the server
  // checks it again and logs the access either way.
  const listen = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (!purpose) return;
    setListening({ kind: 'loading' });
    try {
      const [audio, Player] = await Promise.all([fetchAudio(r.id, purpose), loadPlayer()]);
      setListening({ kind: 'ready', audio, Player });
      announce(t('play.ready'));
    } catch (error) {
      setListening({ kind: 'error', error });
      announce(t('play.refused'));
    }
  };

  return (
    <div class="rec-layout">
      <div class="rec-main">
        <dl class="kv card" data-testid="recording-meta">
          <dt>{t('rec.col.date')}</dt>
          <dd>{formatDateTime(r.startedAt)}</dd>
          <dt>{t('rec.col.duration')}</dt>
          <dd>{formatDuration(r.durationMs ?? undefined)}</dd>
          <dt>{t('rec.col.direction')}</dt>
          <dd>{tMaybe(`direction.${r.direction ?? ''}`, r.direction ?? '—')}</dd>
          <dt>{t('rec.col.agent')}</dt>
          <dd>{r.agentName ?? r.agentId ?? '—'}</dd>
          <dt>{t('rec.col.team')}</dt>
          <dd>{r.team ?? '—'}</dd>
          <dt>{t('rec.col.queue')}</dt>
          <dd>{r.queue ?? '—'}</dd>
          <dt>{t('rec.col.policy')}</dt>
          <dd>{r.policyId ?? '—'}</dd>
          <dt>{t('rec.col.state')}</dt>
          <dd>
            <Badge tone={stateTone(r.state)}>{tMaybe(`state.${r.state ?? ''}`, r.state ?? '—')}</Badge>
          </dd>
          <dt>{t('rec.col.expires')}</dt>
          <dd>{formatDateTime(r.expiresAt ?? undefined)}</dd>
        </dl>

        <form class="card form purpose-form" onSubmit={(e) => void listen(e)}>
          <fieldset>
            <legend>{t('play.purpose')}</legend>
            <p class="muted small" id="purpose-help">
              {t('play.purposeHelp')}
            </p>
            {purposes.length === 0 ? <p>{t('play.noPurpose')}</p> : null}
            <div class="radios" role="radiogroup" aria-describedby="purpose-help">
              {purposes.map((p) => (
                <label key={p} class="radio">
                  <input
                    type="radio"
                    name="purpose"
                    value={p}
                    checked={purpose === p}
                    onChange={() => setPurpose(p)}
                    data-testid={`purpose-${p}`}
                  />
                  {tMaybe(`purpose.${p}`, p)}
                </label>
              ))}
            </div>
          </fieldset>
          <button
            type="submit"
            class="btn btn-primary"
            disabled={!purpose || listening.kind === 'loading'}
            data-testid="listen"
          >
            {t('play.listen')}
          </button>
        </form>

        {listening.kind === 'loading' ? <p role="status">{t('play.loading')}</p> : null}
        {listening.kind === 'error' ? (
          listening.error instanceof Unavailable ? (
            <NotAvailable route="GET /api/recordings/:id/audio?purpose=" />
          ) : (
            <ErrorNotice error={listening.error} />
          )
        ) : null}
        {listening.kind === 'ready' ? (
          <listening.Player audio={listening.audio} gaps={gaps} durationMs={r.durationMs ?? undefined} />
        ) : gaps.length > 0 ? (
          <GapList gaps={gaps} />
        ) : null}
      </div>
      <EvaluationPanel recordingId={r.id} purposes={r.purposes ?? []} />
    </div>
  );
}

export function GapList(props: { gaps: readonly Gap[] }): JSX.Element {
  return (
    <div class="gaps">
      <h2 class="h3">{t('play.gaps')}</h2>
      <ul>
        {props.gaps.map((g, i) => (
          <li key={i}>
            <Badge tone={g.kind === 'paused' ? 'warn' : 'neutral'}>
              {t(g.kind === 'paused' ? 'play.paused' : 'play.masked')}
            </Badge>{' '}
            {formatDuration(g.startMs)} – {formatDuration(g.endMs)}
          </li>
        ))}
      </ul>
    </div>
  );
}
