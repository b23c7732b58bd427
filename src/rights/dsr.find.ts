/**
 * R-DSR-1: everything Ecoute holds about a person, by keyed hash of the phone number, customer id
 * (carried in the call's protocol ids as `customerId`), agent id, and an optional date range.
 * A query module over the store's Kysely (the repositories offer no cross-table search).
 */
import type { Repositories } from '../db/index.ts';
import type { AccessLogRow } from '../db/access-log.repo.ts';
import type { AnalysisDocument } from '../db/analysis.repo.ts';
import type { CallRow } from '../db/calls.repo.ts';
import type { Recording } from '../db/recordings.repo.ts';

export interface SubjectQuery {
  readonly numberHash?: string | undefined;
  readonly customerId?: string | undefined;
  readonly agentId?: string | undefined;
  /** ms, inclusive. */
  readonly from?: number | undefined;
  /** ms, exclusive. */
  readonly to?: number | undefined;
}

export interface Findings {
  readonly calls: readonly CallRow[];
  readonly recordings: readonly Recording[];
  readonly documents: readonly AnalysisDocument[];
  readonly accessLog: readonly AccessLogRow[];
}

type FindDb = Pick<Repositories, 'kysely' | 'calls' | 'recordings' | 'analysis' | 'accessLog'>;

const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

async function matchingCallIds(db: FindDb, q: SubjectQuery): Promise<string[]> {
  let sel = db.kysely.selectFrom('calls').select('id');
  sel = sel.where((eb) => {
    const ors = [];
    if (q.numberHash) ors.push(eb('customerHash', '=', q.numberHash));
    if (q.agentId) ors.push(eb('agentId', '=', q.agentId));
    if (q.customerId)
      ors.push(eb('protocolIds', 'like', `%"customerId":${likeEscape(JSON.stringify(q.customerId))}%`));
    return eb.or(ors);
  });
  if (q.from !== undefined) sel = sel.where('startedAt', '>=', q.from);
  if (q.to !== undefined) sel = sel.where('startedAt', '<', q.to);
  return (await sel.execute()).map((r) => r.id);
}

export async function findSubject(db: FindDb, q: SubjectQuery): Promise<Findings> {
  if (!q.numberHash && !q.customerId && !q.agentId)
    return { calls: [], recordings: [], documents: [], accessLog: [] };
  const callIds = await matchingCallIds(db, q);
  let rsel = db.kysely.selectFrom('recordings').select('id');
  rsel = rsel.where((eb) => {
    const ors = [];
    if (callIds.length > 0) ors.push(eb('callId', 'in', callIds));
    if (q.numberHash) ors.push(eb('customerHash', '=', q.numberHash));
    if (q.agentId) ors.push(eb('agentId', '=', q.agentId));
    return ors.length > 0 ? eb.or(ors) : eb.lit(false);
  });
  rsel = rsel.where('state', '!=', 'shredded');
  if (q.from !== undefined) rsel = rsel.where('startedAt', '>=', q.from);
  if (q.to !== undefined) rsel = rsel.where('startedAt', '<', q.to);
  const recIds = (await rsel.orderBy('startedAt').orderBy('id').execute()).map((r) => r.id);
  const recordings = await Promise.all(recIds.map((id) => db.recordings.mustGet(id)));

  const docs = new Map<string, AnalysisDocument>();
  for (const id of recIds) for (const d of await db.analysis.forRecording(id)) docs.set(d.id, d);
  if (q.agentId) {
    for (const d of await db.analysis.forAgent(q.agentId)) {
      const inRange =
        (q.from === undefined || d.createdAt >= q.from) && (q.to === undefined || d.createdAt < q.to);
      if (inRange) docs.set(d.id, d);
    }
  }
  const calls = (await Promise.all(callIds.map((id) => db.calls.get(id)))).filter((c) => c !== undefined);

  const log = new Map<number, AccessLogRow>();
  const objects: [string, readonly string[]][] = [
    ['recording', recIds],
    ['call', callIds],
    ['analysis_document', [...docs.keys()]],
  ];
  for (const [type, ids] of objects)
    for (const id of ids) for (const e of await db.accessLog.forObject(type, id)) log.set(e.seq, e);
  return {
    calls,
    recordings,
    documents: [...docs.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)),
    accessLog: [...log.values()].sort((a, b) => a.seq - b.seq),
  };
}
