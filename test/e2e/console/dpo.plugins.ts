/**
 * The DPO's route plugins (holds, data-subject requests, documents and the compliance report), built the
 * way src/main.services.ts `dpoServices` builds them for src/main.ts, without the job scheduler (the
 * console test runs no retention job).
 */
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../../src/config/config.ts';
import type { Clock } from '../../../src/clock.ts';
import type { Logger } from '../../../src/log.ts';
import type { Db } from '../../../src/db/index.ts';
import type { Vault } from '../../../src/vault/vault.ts';
import type { AccessLog } from '../../../src/audit/access-log.ts';
import type { PolicySource } from '../../../src/capture/policy.source.ts';
import type { NumberProtection } from '../../../src/capture/numbers.ts';
import { fail } from '../../../src/errors.ts';
import { PolicyErrors } from '../../../src/policy/errors.ts';
import { DeletionService } from '../../../src/jobs/deletion.service.ts';
import { HoldsService } from '../../../src/jobs/holds.service.ts';
import { RightsService } from '../../../src/rights/rights.service.ts';
import { AckService } from '../../../src/rights/ack.ts';
import { localKey } from '../../../src/rights/rights.factory.ts';
import { gatherCompliance } from '../../../src/documents/report.data.ts';
import { holdsRoutes } from '../../../src/api/holds/holds.routes.ts';
import { rightsRoutes } from '../../../src/api/rights/rights.routes.ts';
import { documentsRoutes } from '../../../src/api/documents/documents.routes.ts';

export interface DpoDeps {
  readonly config: Config;
  readonly db: Db;
  readonly vault: Vault;
  readonly clock: Clock;
  readonly log: Logger;
  readonly policies: PolicySource;
  readonly numbers: NumberProtection;
  readonly accessLog: AccessLog;
}

export function dpoPlugins(d: DpoDeps): FastifyPluginAsync[] {
  const { config, db, vault, clock, log, policies, numbers, accessLog } = d;
  const deletion = new DeletionService({ db, vault, clock, log });
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
  return [
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
}
