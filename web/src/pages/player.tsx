import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import WaveSurfer from 'wavesurfer.js';
import RegionsPlugin from 'wavesurfer.js/dist/plugins/regions.esm.js';
import { formatDuration, t } from '../i18n/index.ts';
import type { PlayerProps } from './recording.tsx';
import { GapList } from './recording.tsx';

export const SPEEDS = [0.75, 1, 1.25, 1.5, 2] as const;
const SEEK_STEP_S = 5;

/**
 * Two-lane player: channel 0 is the agent, channel 1 the customer (the vault stores stereo in that
 * order). Paused (R-PCI-1) and masked (R-PCI-2) stretches are drawn on the timeline: they hold silence.
 */
export function Player(props: PlayerProps): JSX.Element {
  const waveRef = useRef<HTMLDivElement>(null);
  const audioRef = useRef<HTMLAudioElement>(null);
  const wsRef = useRef<WaveSurfer | null>(null);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState((props.durationMs ?? 0) / 1000);
  const [speed, setSpeed] = useState(1);

  useEffect(() => {
    const container = waveRef.current;
    const media = audioRef.current;
    if (!container || !media) return;
    const regions = RegionsPlugin.create();
    const ws = WaveSurfer.create({
      container,
      media,
      height: 56,
      normalize: true,
      splitChannels: [
        { waveColor: '#3b6ea5', progressColor: '#1d3f66' },
        { waveColor: '#4f9a7c', progressColor: '#2a5e49' },
      ],
      cursorColor: '#b3261e',
      barWidth: 2,
      barGap: 1,
      plugins: [regions],
    });
    wsRef.current = ws;
    ws.on('ready', (d) => {
      setDuration(d);
      for (const g of props.gaps)
        regions.addRegion({
          start: g.startMs / 1000,
          end: g.endMs / 1000,
          drag: false,
          resize: false,
          color: g.kind === 'paused' ? 'rgba(201, 138, 0, 0.25)' : 'rgba(90, 90, 90, 0.25)',
          content: t(g.kind === 'paused' ? 'play.paused' : 'play.masked'),
        });
    });
    ws.on('timeupdate', (s) => setTime(s));
    ws.on('play', () => setPlaying(true));
    ws.on('pause', () => setPlaying(false));
    void ws.loadBlob(props.audio);
    return () => ws.destroy();
  }, [props.audio]);

  const toggle = (): void => void wsRef.current?.playPause();
  const seekTo = (s: number): void => wsRef.current?.setTime(Math.min(Math.max(0, s), duration));
  const changeSpeed = (v: number): void => {
    setSpeed(v);
    wsRef.current?.setPlaybackRate(v, true);
  };

  return (
    <section class="card player" aria-labelledby="player-title" data-testid="player">
      <h2 id="player-title" class="h3">
        {t('play.player')}
      </h2>
      <div class="lanes">
        <div class="lane-labels" aria-hidden="true">
          <span>{t('play.agent')}</span>
          <span>{t('play.customer')}</span>
        </div>
        <div ref={waveRef} class="wave" role="img" aria-label={t('play.waveLabel')} />
      </div>
      <audio ref={audioRef} data-testid="audio" preload="auto" />
      <div class="controls">
        <button
          type="button"
          class="btn btn-primary"
          onClick={toggle}
          aria-pressed={playing}
          data-testid="play"
        >
          {playing ? t('play.pause') : t('play.play')}
        </button>
        <button type="button" class="btn" onClick={() => seekTo(time - SEEK_STEP_S)}>
          {t('play.back5')}
        </button>
        <button type="button" class="btn" onClick={() => seekTo(time + SEEK_STEP_S)}>
          {t('play.fwd5')}
        </button>
        <label class="seek">
          <span class="sr-only">{t('play.seek')}</span>
          <input
            type="range"
            min={0}
            max={Math.max(duration, 0.01)}
            step={0.1}
            value={time}
            onInput={(e) => seekTo(Number(e.currentTarget.value))}
            aria-valuetext={`${formatDuration(time * 1000)} / ${formatDuration(duration * 1000)}`}
            data-testid="seek"
          />
        </label>
        <span class="time" aria-hidden="true">
          {formatDuration(time * 1000)} / {formatDuration(duration * 1000)}
        </span>
        <label class="speed">
          {t('play.speed')}
          <select
            value={String(speed)}
            onChange={(e) => changeSpeed(Number(e.currentTarget.value))}
            data-testid="speed"
          >
            {SPEEDS.map((s) => (
              <option key={s} value={String(s)}>
                {`${s}×`}
              </option>
            ))}
          </select>
        </label>
      </div>
      {props.gaps.length > 0 ? <GapList gaps={props.gaps} /> : null}
    </section>
  );
}
