/**
 * Data-subject requests (R-DSR-1..4, R-CAL-4): registration with the person's identifiers (the phone
 * number only as a keyed hash), the one-month deadline and its lawful extension, the search for
 * everything held, the access export, erasure and objection through the deletion service (receipts,
 * unless a recorded compelling ground or a legal hold applies), rectification, and the opposition list.
 */
import type { Clock } from '../clock.ts';
import type { Repositories } from '../db/index.ts';
import { keyedHash } from '../db/keyed-hash.ts';
import type { DsrKind, DsrRequest } from '../db/rights.repo.ts';
import type { ShredReceipt } from '../db/shred-receipts.repo.ts';
import { fail, isEcouteError } from '../errors.ts';
import type { DeletionService } from '../jobs/deletion.service.ts';
import type { Logger } from '../log.ts';
import type { Vault } from '../vault/vault.ts';
import { COMPLAINT_NOTICE, checkExtension, dueDate } from './deadlines.ts';
import { findSubject, type Findings, type SubjectQuery } from './dsr.find.ts';
import { RightsErrors } from './errors.ts';
import { buildExport, type ExportResult } from './export.zip.ts';

export interface RightsDeps {
  readonly db: Pick<
    Repositories,
    'dsr' | 'opposition' | 'settings' | 'kysely' | 'calls' | 'recordings' | 'analysis' | 'accessLog'
  >;
  readonly vault: Pick<Vault, 'openReader'>;
  readonly deletion: DeletionService;
  readonly clock: Clock;
  readonly log: Logger;
  /** HMAC key of phone numbers (R-CAL-4); the same key the capture side hashes with. */
  readonly numberKey: Uint8Array | undefined;
}

export interface SubjectInput {
  /** As the person gives it; hashed at once, never stored. */
  readonly phoneNumber?: string | undefined;
  readonly customerId?: string | undefined;
  readonly agentId?: string | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}

/** Facts the request table has no column for, kept beside it in the settings store. */
interface DsrMeta {
  readonly extensionNoticeSentAt?: number;
  readonly compellingGround?: string;
  readonly refusalReasons?: string;
}

export interface DsrView extends DsrRequest {
  readonly subject: SubjectQuery;
  /** The date that binds: the extended one if any (R-DSR-3). */
  readonly deadline: number;
  readonly overdue: boolean;
  readonly meta: DsrMeta;
}

export interface ErasureResult {
  readonly receipts: readonly ShredReceipt[];
  /** Recordings kept, with the reason (legal hold R-RET-6, write-once R-RET-3, compelling ground R-DSR-4). */
  readonly kept: readonly { readonly recordingId: string; readonly reason: string }[];
  readonly addedToOppositionList: boolean;
}

export type Rectification =
  | {
      readonly recordingId: string;
      readonly fields: {
        readonly queue?: string;
        readonly direction?: 'inbound' | 'outbound';
        readonly agentId?: string;
      };
    }
  | { readonly documentId: string; readonly content: unknown };

const metaKey = (id: string): string => `dsr.meta.${id}`;

export class RightsService {
  readonly #d: RightsDeps;

  constructor(deps: RightsDeps) {
    this.#d = deps;
  }

  /** R-CAL-4: the keyed hash of a number; the clear number goes no further than this call. */
  hashNumber(raw: string): string | undefined {
    if (!this.#d.numberKey) throw fail(RightsErrors.NO_NUMBER_KEY);
    return keyedHash(raw, this.#d.numberKey);
  }

  async register(x: { kind: DsrKind; subject: SubjectInput; receivedAt?: number }): Promise<DsrView> {
    const s = x.subject;
    const numberHash = s.phoneNumber ? this.hashNumber(s.phoneNumber) : undefined;
    if (!numberHash && !s.customerId && !s.agentId) throw fail(RightsErrors.NO_IDENTIFIER);
    const subject: SubjectQuery = {
      ...(numberHash && { numberHash }),
      ...(s.customerId && { customerId: s.customerId }),
      ...(s.agentId && { agentId: s.agentId }),
      ...(s.from !== undefined && { from: s.from }),
      ...(s.to !== undefined && { to: s.to }),
    };
    const receivedAt = x.receivedAt ?? this.#d.clock.now();
    const r = await this.#d.db.dsr.create({ kind: x.kind, subject, receivedAt, dueAt: dueDate(receivedAt) });
    this.#d.log.info({ requestId: r.id, kind: r.kind }, 'data-subject request registered');
    return this.get(r.id);
  }

  async get(id: string): Promise<DsrView> {
    const r = await this.#d.db.dsr.get(id);
    if (!r) throw fail(RightsErrors.NOT_FOUND, `no data-subject request ${id}`, { requestId: id });
    const meta = (await this.#d.db.settings.get<DsrMeta>(metaKey(id))) ?? {};
    const deadline = r.extendedUntil ?? r.dueAt;
    const open = r.state === 'open' || r.state === 'extended';
    return {
      ...r,
      subject: r.subject,
      deadline,
      overdue: open && deadline < this.#d.clock.now(),
      meta,
    };
  }

  async list(opts: { open?: boolean } = {}): Promise<DsrView[]> {
    return Promise.all((await this.#d.db.dsr.list(opts)).map((r) => this.get(r.id)));
  }

  /** R-DSR-1: everything about the request's subject. */
  async find(id: string): Promise<Findings> {
    return findSubject(this.#d.db, (await this.get(id)).subject);
  }

  /** R-DSR-3: one extension, with a reason and a notice sent within the first month. */
  async extend(id: string, x: { reason: string; noticeSentAt: number | undefined }): Promise<DsrView> {
    const r = await this.#open(id);
    const check = checkExtension({
      receivedAt: r.receivedAt,
      dueAt: r.dueAt,
      alreadyExtended: r.extendedUntil !== undefined,
      reason: x.reason,
      noticeSentAt: x.noticeSentAt,
      now: this.#d.clock.now(),
    });
    if (!check.ok) throw fail(RightsErrors.EXTENSION_REFUSED, check.reason, { requestId: id });
    await this.#d.db.dsr.extend(id, check.until, x.reason.trim());
    await this.#setMeta(id, { extensionNoticeSentAt: x.noticeSentAt });
    return this.get(id);
  }

  /** R-DSR-3: a refusal states its reasons and the right to complain to the CNIL. */
  async refuse(id: string, reasons: string): Promise<DsrView> {
    await this.#open(id);
    if (reasons.trim().length < 10) throw fail(RightsErrors.REFUSAL_INCOMPLETE, undefined, { requestId: id });
    const outcome = `${reasons.trim()}\n${COMPLAINT_NOTICE.fr}\n${COMPLAINT_NOTICE.en}`;
    await this.#setMeta(id, { refusalReasons: reasons.trim() });
    await this.#d.db.dsr.close(id, 'refused', outcome);
    return this.get(id);
  }

  async close(id: string, outcome: string): Promise<DsrView> {
    await this.#open(id);
    await this.#d.db.dsr.close(id, 'done', outcome);
    return this.get(id);
  }

  /** R-DSR-2: the ZIP export of an access request. */
  async export(
    id: string,
    out: string,
    onProgress?: (done: number, total: number) => void,
  ): Promise<ExportResult> {
    const r = await this.#open(id);
    if (r.kind !== 'access') throw fail(RightsErrors.WRONG_KIND, `request ${id} is a ${r.kind} request`);
    const findings = await findSubject(this.#d.db, r.subject);
    return buildExport({
      requestId: id,
      findings,
      generatedAt: this.#d.clock.now(),
      out,
      vault: this.#d.vault,
      ...(onProgress && { onProgress }),
    });
  }

  /**
   * R-DSR-4: erasure or objection after the call. Deletes through the deletion service (receipts), unless
   * a compelling ground is recorded (nothing deleted) or a hold or write-once term protects a recording.
   * R-CAL-4: with `addToOppositionList`, the number's keyed hash goes on the opposition list.
   */
  async erase(
    id: string,
    x: { compellingGround?: string | undefined; addToOppositionList?: boolean } = {},
  ): Promise<ErasureResult> {
    const r = await this.#open(id);
    if (r.kind !== 'erasure' && r.kind !== 'objection')
      throw fail(RightsErrors.WRONG_KIND, `request ${id} is a ${r.kind} request`);
    const findings = await findSubject(this.#d.db, r.subject);
    const kept: { recordingId: string; reason: string }[] = [];
    const receipts: ShredReceipt[] = [];
    const ground = x.compellingGround?.trim();
    if (ground) {
      await this.#setMeta(id, { compellingGround: ground });
      for (const rec of findings.recordings) kept.push({ recordingId: rec.id, reason: `R-DSR-4: ${ground}` });
    } else {
      for (const rec of findings.recordings) {
        try {
          receipts.push(
            ...(await this.#d.deletion.shredRecording(rec.id, { rule: 'R-DSR-4', withDocuments: true })),
          );
        } catch (e) {
          if (!isEcouteError(e) || !e.rule) throw e;
          kept.push({ recordingId: rec.id, reason: `${e.rule}: ${e.message}` });
        }
      }
      // Calls without a recording still carry the number (encrypted) and its hash: forget them.
      for (const c of findings.calls) await this.#d.db.calls.forgetCustomer(c.id);
    }
    let added = false;
    if (x.addToOppositionList && r.subject.numberHash) {
      await this.#d.db.opposition.add(r.subject.numberHash, `dsr:${id}`);
      added = true;
    }
    const outcome =
      `deleted ${receipts.filter((x) => x.kind === 'recording').length} recording(s); kept ${kept.length}` +
      (added ? '; number added to the opposition list' : '');
    await this.#d.db.dsr.close(id, 'done', outcome);
    this.#d.log.info(
      { requestId: id, deleted: receipts.length, kept: kept.length },
      'erasure request answered',
    );
    return { receipts, kept, addedToOppositionList: added };
  }

  /** R-DSR-4: rectification of a recording's metadata or of an analysis document. */
  async rectify(id: string, change: Rectification): Promise<void> {
    const r = await this.#open(id);
    if (r.kind !== 'rectification')
      throw fail(RightsErrors.WRONG_KIND, `request ${id} is a ${r.kind} request`);
    const findings = await findSubject(this.#d.db, r.subject);
    if ('documentId' in change) {
      if (!findings.documents.some((d) => d.id === change.documentId))
        throw fail(RightsErrors.RECTIFICATION_INVALID, 'the document is not about this person');
      await this.#d.db.analysis.updateContent(change.documentId, change.content);
      return;
    }
    const rec = findings.recordings.find((x) => x.id === change.recordingId);
    if (!rec) throw fail(RightsErrors.RECTIFICATION_INVALID, 'the recording is not about this person');
    // R-RET-3: a write-once recording cannot be altered before it expires.
    this.#d.deletion.assertUnaltered(rec);
    const fields = Object.fromEntries(Object.entries(change.fields).filter(([, v]) => v !== undefined));
    if (Object.keys(fields).length === 0)
      throw fail(RightsErrors.RECTIFICATION_INVALID, 'nothing to rectify');
    await this.#d.db.kysely
      .updateTable('recordings')
      .set({ ...fields, updatedAt: this.#d.clock.now() })
      .where('id', '=', rec.id)
      .execute();
  }

  /** R-CAL-4: a caller asks that none of their future calls be recorded. */
  async oppose(phoneNumber: string, source: string): Promise<string> {
    const hash = this.hashNumber(phoneNumber);
    if (!hash) throw fail(RightsErrors.NO_IDENTIFIER, 'an anonymous number cannot be put on the list');
    await this.#d.db.opposition.add(hash, source);
    return hash;
  }

  async #open(id: string): Promise<DsrView> {
    const r = await this.get(id);
    if (r.state !== 'open' && r.state !== 'extended')
      throw fail(RightsErrors.CLOSED, `request ${id} is ${r.state}`, { requestId: id });
    return r;
  }

  async #setMeta(id: string, patch: DsrMeta): Promise<void> {
    const cur = (await this.#d.db.settings.get<DsrMeta>(metaKey(id))) ?? {};
    await this.#d.db.settings.set(metaKey(id), { ...cur, ...patch });
  }
}
