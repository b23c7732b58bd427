/**
 * The DPO's services and route plugins: holds, data-subject requests, generated documents and the
 * compliance report (issue 7). Built once by the composition root (and the console's end-to-end harness).
 */
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config/config.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../db/index.ts';
import type { Vault } from '../vault/vault.ts';
import type { AccessLog } from '../audit/access-log.ts';
import type { PolicySource } from '../capture/policy.source.ts';
import type { NumberProtection } from '../capture/numbers.ts';
import { fail } from '../errors.ts';
import { PolicyErrors } from '../policy/errors.ts';
import { DeletionService, type DeletionDeps } from '../jobs/deletion.service.ts';
import { HoldsService } from '../jobs/holds.service.ts';
import { RightsService } from '../rights/rights.service.ts';
import { AckService } from '../rights/ack.ts';
import { localKey } from '../rights/rights.factory.ts';
import { gatherCompliance } from '../documents/report.data.ts';
import { holdsRoutes } from '../api/holds/holds.routes.ts';
import { rightsRoutes } from '../api/rights/rights.routes.ts';
import { documentsRoutes } from '../api/documents/documents.routes.ts';

export interface DpoDeps {
  readonly config: Config;
  readonly db: Db;
  readonly vault: Vault;
  readonly clock: Clock;
  readonly log: Logger;
  readonly policies: PolicySource;
  readonly numbers: NumberProtection;
  readonly accessLog: AccessLog;
  /** Told after each deletion (the `recording.deleted` webhook). */
  readonly onDeleted?: DeletionDeps['onDeleted'];
}

export interface DpoParts {
  readonly deletion: DeletionService;
  readonly plugins: FastifyPluginAsync[];
}

export function dpoPlugins(d: DpoDeps): DpoParts {
  const { config, db, vault, clock, log, policies, numbers, accessLog, onDeleted } = d;
  const deletion = new DeletionService({ db, vault, clock, log, ...(onDeleted ? { onDeleted } : {}) });
  const holds = new HoldsService({ db, clock });
  const rights = new RightsService({ db, vault, deletion, clock, log, numberKey: numbers.hashKey });
  const currentFile = () => {
    const file = policies.current()?.file;
    if (!file) throw fail(PolicyErrors.INVALID, 'no policy in force');
    return file;
  };
  const acks = new AckService({
    agents: db.agents,
    clock,
    key: localKey(config, 'ack'),
    currentVersion: () => currentFile().notices.employee.version,
  });
  const plugins: FastifyPluginAsync[] = [
    holdsRoutes(holds),
    rightsRoutes({ rights, exportDir: join(config.dataDir, 'exports') }),
    documentsRoutes({
      policyFile: () => Promise.resolve(currentFile()),
      options: { accessLogDays: config.audit.retentionDays },
      acks,
      compliance: async (from, to) => {
        const v = await accessLog.verify();
        const integrity = v.ok ? { ok: true, count: v.count } : { ok: false, count: v.seq, reason: v.reason };
        return gatherCompliance(db, { file: currentFile(), from, to, now: clock.now(), integrity });
      },
    }),
  ];
  return { deletion, plugins };
}
