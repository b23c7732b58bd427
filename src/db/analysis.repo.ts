/**
 * Analysis documents (evaluation grids, reports): R-MIN-1 (agent and evaluator ids, technical call data,
 * the professional evaluation; src/evaluation screens free text) and R-RET-2 (at most one year).
 */
import type { Selectable } from 'kysely';
import { fromJson, newId, nul, opt, toJson } from './codec.ts';
import type { AnalysisDocumentsTable } from './schema.ts';
import type { RepoContext } from './types.ts';

export interface AnalysisDocument<C = unknown> {
  readonly id: string;
  readonly recordingId: string | undefined;
  /** e.g. `evaluation`, `report`. */
  readonly kind: string;
  readonly agentId: string;
  readonly evaluatorId: string;
  readonly content: C;
  readonly createdAt: number;
  readonly expiresAt: number;
}

const toDoc = (r: Selectable<AnalysisDocumentsTable>): AnalysisDocument => ({
  id: r.id,
  recordingId: opt(r.recordingId),
  kind: r.kind,
  agentId: r.agentId,
  evaluatorId: r.evaluatorId,
  content: fromJson<unknown>(r.content, null),
  createdAt: Number(r.createdAt),
  expiresAt: Number(r.expiresAt),
});

export function analysisRepo({ k, clock }: RepoContext) {
  const get = async (id: string): Promise<AnalysisDocument | undefined> => {
    const r = await k.selectFrom('analysisDocuments').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toDoc(r);
  };
  return {
    get,
    async insert(d: Omit<AnalysisDocument, 'id' | 'createdAt'> & { id?: string }): Promise<AnalysisDocument> {
      const id = d.id ?? newId();
      await k
        .insertInto('analysisDocuments')
        .values({
          id,
          recordingId: nul(d.recordingId),
          kind: d.kind,
          agentId: d.agentId,
          evaluatorId: d.evaluatorId,
          content: toJson(d.content),
          createdAt: clock.now(),
          expiresAt: d.expiresAt,
        })
        .execute();
      return (await get(id)) as AnalysisDocument;
    },
    /** R-DSR-4 rectification: replaces the content (the evaluation), keeps ids and expiry. */
    async updateContent(id: string, content: unknown): Promise<void> {
      await k
        .updateTable('analysisDocuments')
        .set({ content: toJson(content) })
        .where('id', '=', id)
        .execute();
    },
    /** R-EMP-7: the evaluations about one agent. */
    async forAgent(agentId: string): Promise<AnalysisDocument[]> {
      const rows = await k
        .selectFrom('analysisDocuments')
        .selectAll()
        .where('agentId', '=', agentId)
        .orderBy('createdAt', 'desc')
        .execute();
      return rows.map(toDoc);
    },
    async forRecording(recordingId: string): Promise<AnalysisDocument[]> {
      const rows = await k
        .selectFrom('analysisDocuments')
        .selectAll()
        .where('recordingId', '=', recordingId)
        .orderBy('createdAt')
        .execute();
      return rows.map(toDoc);
    },
    /** R-RET-2: documents past their expiry. */
    async listExpiring(now: number, limit = 100): Promise<AnalysisDocument[]> {
      const rows = await k
        .selectFrom('analysisDocuments')
        .selectAll()
        .where('expiresAt', '<=', now)
        .orderBy('expiresAt')
        .limit(limit)
        .execute();
      return rows.map(toDoc);
    },
    async delete(id: string): Promise<boolean> {
      const res = await k.deleteFrom('analysisDocuments').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}

export type AnalysisRepo = ReturnType<typeof analysisRepo>;
