/**
 * A real recording stack for tests (product code beside its port): a SQLite file, the vault on the local
 * filesystem with the database's key store, the example French quality policy in force, one informed agent
 * of team `support`. `fixedDraw` is the only stand-in: a draw of 0.01 so a 5 % sample selects the call.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClock } from '../../clock.ts';
import { openDatabase, type Db } from '../../db/index.ts';
import { silentLogger, type Logger } from '../../log.ts';
import type { Rng } from '../../policy/rng.ts';
import { parsePolicyText } from '../../policy/parse.ts';
import { FsBlobStore } from '../../vault/fs/fs.store.ts';
import { KeyRing, LocalMasterKey } from '../../vault/keyring.ts';
import { Vault } from '../../vault/vault.ts';
import type { CallEventsSink, RecorderAction, SealedEvent } from '../active-call.ts';
import { LiveHub } from '../live.hub.ts';
import { numberProtection, type NumberProtection } from '../numbers.ts';
import { PolicySource } from '../policy.source.ts';
import { Recorder } from '../recorder.ts';

export const EXAMPLE_POLICY = new URL('../../../examples/policies/qualite-fr.yaml', import.meta.url).pathname;

/** A draw that always selects (value 0.01 < 5 %), seed recorded as such. Named fake of the Rng port. */
export const fixedDraw = (value = 0.01): Rng => ({ draw: () => ({ value, seed: `fixed-${value}` }) });

export interface RecordedEvent {
  readonly kind: 'action' | 'sealed' | 'destroyed' | 'failed';
  readonly callId: string;
  readonly recordingId?: string;
  readonly detail?: string;
  /** Of a `sealed` event: recovered after a crash. */
  readonly interrupted?: boolean;
}

/** Collects the recorder's events and lets a test await one. */
export class EventLog implements CallEventsSink {
  readonly events: RecordedEvent[] = [];
  readonly #waiters: { pred: (e: RecordedEvent) => boolean; resolve: (e: RecordedEvent) => void }[] = [];

  #push(e: RecordedEvent): void {
    this.events.push(e);
    for (const w of [...this.#waiters]) {
      if (w.pred(e)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  }

  action(callId: string, action: RecorderAction): void {
    this.#push({ kind: 'action', callId, detail: action });
  }
  sealed(recordingId: string, callId: string, info: SealedEvent): void {
    this.#push({ kind: 'sealed', callId, recordingId, interrupted: info.interrupted });
  }
  destroyed(recordingId: string, callId: string, rule: string): void {
    this.#push({ kind: 'destroyed', callId, recordingId, detail: rule });
  }
  failed(recordingId: string, callId: string, error: unknown): void {
    this.#push({ kind: 'failed', callId, recordingId, detail: (error as Error).message });
  }

  /** Resolves with the first event (past or future) matching `pred`. */
  wait(pred: (e: RecordedEvent) => boolean): Promise<RecordedEvent> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ pred, resolve }));
  }
}

export interface RecorderHarness {
  readonly db: Db;
  readonly vault: Vault;
  readonly recorder: Recorder;
  readonly live: LiveHub;
  readonly policies: PolicySource;
  readonly numbers: NumberProtection;
  readonly clock: FakeClock;
  readonly events: EventLog;
  readonly keyRing: KeyRing;
  close(): Promise<void>;
}

export async function recorderHarness(
  dir: string,
  opts: { rng?: Rng; log?: Logger; clock?: FakeClock; db?: Db } = {},
): Promise<RecorderHarness> {
  const clock = opts.clock ?? new FakeClock('2026-11-02T09:00:00Z');
  const log = opts.log ?? silentLogger;
  const db = opts.db ?? (await openDatabase({ sqliteFile: join(dir, 'ecoute.sqlite'), clock }));
  const keyRing = new KeyRing({ current: new LocalMasterKey(Buffer.alloc(32, 7)), keyStore: db.dataKeys });
  const vault = new Vault({
    keyRing,
    keyStore: db.dataKeys,
    blobs: new FsBlobStore(join(dir, 'blobs')),
    spoolDir: join(dir, 'spool'),
    clock,
    log,
  });
  const policies = new PolicySource();
  policies.set(parsePolicyText(readFileSync(EXAMPLE_POLICY, 'utf8'), 'yaml'));
  await db.agents.upsertTeam('support', 'Support');
  await db.agents.upsert({
    id: 'a1',
    displayName: 'Agent Un',
    teamId: 'support',
    extension: '1001',
    sipAor: 'sip:1001@pbx.example',
  });
  await db.agents.ack('a1', 3);
  const numbers = await numberProtection(keyRing);
  const live = new LiveHub();
  const events = new EventLog();
  const recorder = new Recorder({
    db,
    vault,
    clock,
    log,
    rng: opts.rng ?? fixedDraw(),
    policies,
    numbers,
    live,
    events,
  });
  return { db, vault, recorder, live, policies, numbers, clock, events, keyRing, close: () => db.close() };
}
