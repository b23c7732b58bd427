/**
 * Live calls: the calls the user may join (the API lists only those an active policy allows for one of
 * the role's purposes, R-EMP-6 / R-MIN-3), joining with a stated purpose (R-MIN-2: nothing is requested
 * before one is chosen), live playback of both lanes, and the end of the session with the rule that
 * ended it (R-CAL-2 objection, R-PCI-1 pause, R-PCI-3 card data, R-EMP-4 personal call).
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, itemsOf, Unavailable, type ListAnswer } from '../api.ts';
import { formatDateTime, formatDuration, t, tMaybe } from '../i18n/index.ts';
import { Badge, DataTable, Empty, ErrorNotice, NotAvailable, Page } from '../components/ui.tsx';
import { announce } from '../session.ts';
import { LiveSession, type LiveEnd } from '../live-audio.ts';

interface LiveCall {
  callId: string;
  recordingId?: string;
  startedAt: number;
  state?: string;
  agentId?: string | null;
  team?: string | null;
  queue?: string | null;
  direction?: string;
  policyId?: string | null;
  /** The purposes for which this user may listen (already filtered by the API). */
  purposes: string[];
  listeners?: number;
}

const REFRESH_MS = 5000;

/** The list, refreshed in place every few seconds (no loading flash). */
function useLiveCalls(): { calls: LiveCall[] | undefined; error: unknown } {
  const [calls, setCalls] = useState<LiveCall[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    let live = true;
    const load = (): void =>
      void api<ListAnswer<LiveCall>>('GET', '/api/calls/live').then(
        (r) => live && (setCalls(itemsOf(r).items), setError(undefined)),
        (e: unknown) => live && setError(e),
      );
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  return { calls, error };
}

/** The message for the end of a session: the rule id comes from the server's close reason. */
function endMessage(end: LiveEnd): string {
  if (end.refused) return t('live.end.refused');
  if (end.code === 1000) return t('live.end.left');
  return tMaybe(`live.end.${end.code}`, t('live.end.other', { code: end.code }));
}

function Listener(props: { call: LiveCall; purpose: string; onLeave: () => void }): JSX.Element {
  const session = useRef<LiveSession | undefined>(undefined);
  const [levels, setLevels] = useState<readonly number[]>([0, 0]);
  const [playedMs, setPlayedMs] = useState(0);
  const [lanes, setLanes] = useState<readonly string[]>(['agent', 'customer']);
  const [end, setEnd] = useState<LiveEnd | undefined>(undefined);
  const [muted, setMuted] = useState(false);
  useEffect(() => {
    const s = new LiveSession(props.call.callId, props.purpose, new AudioContext(), {
      onStart: (h) => (setLanes(h.channelMap), announce(t('live.joined'))),
      onFrame: (l, ms) => (setLevels(l), setPlayedMs(ms)),
      onEnd: (e) => (setEnd(e), announce(endMessage(e))),
    });
    session.current = s;
    return () => s.close();
  }, [props.call.callId, props.purpose]);
  const toggleMute = (): void => {
    session.current?.setMuted(!muted);
    setMuted(!muted);
  };
  return (
    <section
      class="card live-panel"
      aria-labelledby="listen-title"
      data-testid="live-listener"
      data-played-ms={Math.round(playedMs)}
    >
      <h2 id="listen-title" class="h3">
        {t('live.listening', { agent: props.call.agentId ?? '—' })}{' '}
        <Badge tone="info">{tMaybe(`purpose.${props.purpose}`, props.purpose)}</Badge>
      </h2>
      {end ? (
        <div
          class={`notice ${end.code === 1000 || end.code === 4000 ? 'notice-info' : 'notice-danger'}`}
          role="alert"
          data-testid="live-ended"
        >
          {end.rule ? <Badge tone="danger">{end.rule}</Badge> : null} {endMessage(end)}
        </div>
      ) : (
        <>
          <div class="live-lanes">
            {lanes.map((lane, i) => (
              <label key={lane} class="live-lane">
                <span>{tMaybe(`lane.${lane}`, lane)}</span>
                <meter min={0} max={0.3} value={levels[i] ?? 0} />
              </label>
            ))}
          </div>
          <p class="muted" role="status" data-testid="live-time">
            {t('live.heard', { time: formatDuration(playedMs) })}
          </p>
        </>
      )}
      <div class="row">
        {end ? null : (
          <button type="button" class="btn" onClick={toggleMute} aria-pressed={muted}>
            {t('live.mute')}
          </button>
        )}
        <button type="button" class="btn" data-testid="live-leave" onClick={props.onLeave}>
          {end ? t('live.close') : t('live.leave')}
        </button>
      </div>
    </section>
  );
}

/** R-MIN-2: the purpose is chosen per call before the join button is enabled. */
function JoinCell(props: { call: LiveCall; onJoin: (purpose: string) => void }): JSX.Element {
  const [purpose, setPurpose] = useState('');
  const id = `purpose-${props.call.callId}`;
  return (
    <div class="row">
      <label class="sr-only" for={id}>
        {t('live.purpose')}
      </label>
      <select id={id} value={purpose} onChange={(e) => setPurpose(e.currentTarget.value)}>
        <option value="">{t('live.choosePurpose')}</option>
        {props.call.purposes.map((p) => (
          <option key={p} value={p}>
            {tMaybe(`purpose.${p}`, p)}
          </option>
        ))}
      </select>
      <button
        type="button"
        class="btn btn-small btn-primary"
        data-testid="live-join"
        disabled={!purpose}
        onClick={() => props.onJoin(purpose)}
      >
        {t('live.join')}
      </button>
    </div>
  );
}

export function LivePage(): JSX.Element {
  const { calls, error } = useLiveCalls();
  const [joined, setJoined] = useState<{ call: LiveCall; purpose: string } | undefined>(undefined);
  let list: JSX.Element;
  if (error instanceof Unavailable) list = <NotAvailable route="GET /api/calls/live" />;
  else if (error) list = <ErrorNotice error={error} />;
  else if (!calls)
    list = (
      <p class="muted" role="status">
        {t('common.loading')}
      </p>
    );
  else if (calls.length === 0) list = <Empty>{t('live.empty')}</Empty>;
  else
    list = (
      <DataTable
        caption={t('live.title')}
        rows={calls}
        rowKey={(c) => c.callId}
        columns={[
          { label: t('rec.col.date'), cell: (c) => formatDateTime(c.startedAt) },
          {
            label: t('rec.col.duration'),
            cell: (c) => formatDuration(Date.now() - c.startedAt),
            numeric: true,
          },
          { label: t('rec.col.agent'), cell: (c) => c.agentId ?? '—' },
          { label: t('rec.col.team'), cell: (c) => c.team ?? '—' },
          { label: t('rec.col.queue'), cell: (c) => c.queue ?? '—' },
          {
            label: t('rec.col.state'),
            cell: (c) => (
              <Badge tone={c.state === 'paused' ? 'warn' : 'ok'}>
                {tMaybe(`callstate.${c.state ?? ''}`, c.state ?? '—')}
              </Badge>
            ),
          },
          { label: t('live.col.listeners'), cell: (c) => String(c.listeners ?? 0), numeric: true },
          {
            label: t('live.col.listen'),
            cell: (c) => <JoinCell call={c} onJoin={(purpose) => setJoined({ call: c, purpose })} />,
          },
        ]}
      />
    );
  return (
    <Page title={t('live.title')} intro={t('live.intro')}>
      {joined ? (
        <Listener
          key={`${joined.call.callId}:${joined.purpose}`}
          call={joined.call}
          purpose={joined.purpose}
          onLeave={() => setJoined(undefined)}
        />
      ) : null}
      {list}
    </Page>
  );
}
