/**
 * 0001: the core schema (issue 3). Columns are snake_case here (migrations run without the
 * CamelCasePlugin). Dialect branches only where types differ: ms timestamps (`bigint` on PostgreSQL so
 * they do not overflow, `integer` on SQLite, which is 64-bit anyway) and bytes (`bytea` / `blob`).
 */
import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../types.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema as it was, untyped */
export function coreMigration(dialect: DialectName): Migration {
  const ms = dialect === 'postgres' ? 'bigint' : 'integer';
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: Kysely<any>): Promise<void> {
      const s = db.schema;
      await s
        .createTable('org_settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
      // R-EMP-1: the consultation of staff representatives (or the declaration that there are none).
      await s
        .createTable('staff_consultations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('held_on', 'text', (c) => c.notNull())
        .addColumn('reference', 'text')
        .addColumn('recorded_at', ms, (c) => c.notNull())
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .execute();
      await s
        .createTable('teams')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute();
      await s
        .createTable('agents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('team_id', 'text', (c) => c.references('teams.id'))
        .addColumn('sip_aor', 'text')
        .addColumn('extension', 'text')
        .addColumn('protected_line', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('never_record', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('notice_version', 'integer')
        .addColumn('notice_acked_at', ms)
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
      await s.createIndex('agents_sip_aor').on('agents').column('sip_aor').execute();
      await s.createIndex('agents_extension').on('agents').column('extension').execute();
      await s.createIndex('agents_team').on('agents').column('team_id').execute();
      // R-EMP-2: every acknowledgement is kept, not only the latest.
      await s
        .createTable('agent_notice_acks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
        .addColumn('notice_version', 'integer', (c) => c.notNull())
        .addColumn('acked_at', ms, (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .execute();
      await s.createIndex('agent_notice_acks_agent').on('agent_notice_acks').column('agent_id').execute();
      await s
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('login', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('team_scopes', 'text', (c) => c.notNull())
        .addColumn('totp_secret', 'text')
        .addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('agent_id', 'text', (c) => c.references('agents.id'))
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
      await s
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('csrf_hash', 'text', (c) => c.notNull())
        .addColumn('revoked_at', ms)
        .execute();
      await s.createIndex('sessions_user').on('sessions').column('user_id').execute();
      await s
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('revoked_at', ms)
        .addColumn('last_used_at', ms)
        .execute();
      await s
        .createTable('policies')
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('activated_at', ms)
        .addColumn('activated_by', 'text')
        .addColumn('retired_at', ms)
        .addPrimaryKeyConstraint('policies_pk', ['id', 'version'])
        .execute();
      await s.createIndex('policies_state').on('policies').column('state').execute();
      await createCalls(db, ms);
      await createCounters(db);
      await createRecordings(db, ms, bytes);
      await createGovernance(db, ms);
      await createJobs(db, ms);
    },
    async down(): Promise<void> {
      // Never: dropping the store would destroy evidence (R-RET-3, R-SEC-2). Restore from backup instead.
    },
  };
}

async function createCalls(db: Kysely<any>, ms: 'bigint' | 'integer'): Promise<void> {
  // Rows exist only for calls being or having been recorded (R-MIN-4): an unrecorded call leaves counters.
  await db.schema
    .createTable('calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', ms, (c) => c.notNull())
    .addColumn('ended_at', ms)
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('queue', 'text')
    .addColumn('agent_id', 'text')
    .addColumn('team', 'text')
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('protocol_ids', 'text', (c) => c.notNull())
    .addColumn('customer_number_enc', 'text')
    .addColumn('customer_hash', 'text')
    .addColumn('notice_version', 'integer')
    .addColumn('notice_ended_at', ms)
    .addColumn('decision', 'text')
    .execute();
  await db.schema.createIndex('calls_started').on('calls').column('started_at').execute();
  await db.schema.createIndex('calls_customer').on('calls').column('customer_hash').execute();
  await db.schema.createIndex('calls_agent').on('calls').columns(['agent_id', 'started_at']).execute();
}

async function createCounters(db: Kysely<any>): Promise<void> {
  // R-MIN-4: anonymous. No call id, no agent, no number: only policy, day, outcome, reason and rule.
  await db.schema
    .createTable('decision_counters')
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('decision_counters_pk', ['policy_id', 'day', 'outcome', 'reason', 'rule_id'])
    .execute();
  // R-PUR-3: the per-agent cap of a sampling policy.
  await db.schema
    .createTable('agent_daily_counts')
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_daily_counts_pk', ['policy_id', 'agent_id', 'day'])
    .execute();
}

async function createRecordings(db: Kysely<any>, ms: 'bigint' | 'integer', bytes: string): Promise<void> {
  const s = db.schema;
  await s
    .createTable('recordings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('purposes', 'text', (c) => c.notNull())
    .addColumn('started_at', ms, (c) => c.notNull())
    .addColumn('ended_at', ms)
    .addColumn('duration_ms', ms)
    .addColumn('segments', 'text', (c) => c.notNull())
    .addColumn('channels', 'text', (c) => c.notNull())
    .addColumn('codec', 'text')
    .addColumn('size_bytes', ms)
    .addColumn('sha256', 'text')
    .addColumn('blob_key', 'text')
    .addColumn('expires_at', ms)
    .addColumn('audio_expires_at', ms)
    .addColumn('write_once', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('legal_hold_id', 'text')
    .addColumn('agent_id', 'text')
    .addColumn('team', 'text')
    .addColumn('queue', 'text')
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('customer_hash', 'text')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  // The console's searches, newest first, and the purge job's scans.
  const idx: [string, string[]][] = [
    ['recordings_started', ['started_at', 'id']],
    ['recordings_agent', ['agent_id', 'started_at']],
    ['recordings_team', ['team', 'started_at']],
    ['recordings_queue', ['queue', 'started_at']],
    ['recordings_policy', ['policy_id', 'started_at']],
    ['recordings_state', ['state', 'started_at']],
    ['recordings_customer', ['customer_hash']],
    ['recordings_call', ['call_id']],
    ['recordings_expires', ['expires_at']],
    ['recordings_audio_expires', ['audio_expires_at']],
  ];
  for (const [name, cols] of idx) await s.createIndex(name).on('recordings').columns(cols).execute();
  // R-SEC-4: one wrapped data key per recording; destroying the row shreds the recording (R-RET-4).
  await s
    .createTable('data_keys')
    .addColumn('recording_id', 'text', (c) => c.primaryKey())
    .addColumn('wrapped', bytes as 'blob', (c) => c.notNull())
    .addColumn('master_key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('rotated_at', ms)
    .execute();
  await s.createIndex('data_keys_master').on('data_keys').column('master_key_id').execute();
  // R-RET-4: receipts without content.
  await s
    .createTable('shred_receipts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', ms, (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('shred_receipts_object').on('shred_receipts').column('object_id').execute();
  await s
    .createTable('analysis_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('recording_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('evaluator_id', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('expires_at', ms, (c) => c.notNull())
    .execute();
  await s.createIndex('analysis_agent').on('analysis_documents').column('agent_id').execute();
  await s.createIndex('analysis_recording').on('analysis_documents').column('recording_id').execute();
  await s.createIndex('analysis_expires').on('analysis_documents').column('expires_at').execute();
}

async function createGovernance(db: Kysely<any>, ms: 'bigint' | 'integer'): Promise<void> {
  const s = db.schema;
  // R-SEC-2: append-only; seq is given by the appender so a fork of the chain is a key conflict.
  await s
    .createTable('access_log')
    .addColumn('seq', ms, (c) => c.primaryKey())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('at', ms, (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text')
    .addColumn('purpose', 'text')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('source_address', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('access_log_at').on('access_log').column('at').execute();
  await s.createIndex('access_log_object').on('access_log').columns(['object_type', 'object_id']).execute();
  await s.createIndex('access_log_actor').on('access_log').columns(['actor', 'at']).execute();
  await s
    .createTable('legal_holds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('review_at', ms, (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('released_at', ms)
    .addColumn('released_by', 'text')
    .execute();
  await s
    .createTable('dsr_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('received_at', ms, (c) => c.notNull())
    .addColumn('due_at', ms, (c) => c.notNull())
    .addColumn('extended_until', ms)
    .addColumn('extension_reason', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('closed_at', ms)
    .addColumn('outcome', 'text')
    .execute();
  await s.createIndex('dsr_state_due').on('dsr_requests').columns(['state', 'due_at']).execute();
  // R-CAL-4: only the keyed hash of the number.
  await s
    .createTable('opposition_list')
    .addColumn('number_hash', 'text', (c) => c.primaryKey())
    .addColumn('added_at', ms, (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .execute();
}

async function createJobs(db: Kysely<any>, ms: 'bigint' | 'integer'): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('run_at', ms, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', ms)
    .addColumn('last_error', 'text')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('finished_at', ms)
    .execute();
  await db.schema.createIndex('jobs_claim').on('jobs').columns(['state', 'kind', 'run_at']).execute();
  await db.schema.createIndex('jobs_lease').on('jobs').columns(['state', 'lease_until']).execute();
}
