/**
 * The tables as Kysely sees them (camelCase; the CamelCasePlugin maps to snake_case columns).
 * Conventions, identical on both dialects: timestamps are integer ms since the epoch (`bigint` on
 * PostgreSQL, parsed back to number), booleans are 0/1 integers, JSON is text (see json.ts), ids are
 * text chosen by the caller or by the repository (UUIDs), except the access log's `seq`.
 */
import type { ColumnType } from 'kysely';

/** 0 or 1: one representation of booleans for both dialects. */
export type Flag = number;
/** ms since epoch. */
export type Ms = number;
/** JSON as text. */
export type JsonText = string;
/** Bytes: Buffer from both drivers; Uint8Array accepted on insert. */
export type Bytes = ColumnType<Buffer, Uint8Array, Uint8Array>;

export interface OrgSettingsTable {
  key: string;
  value: JsonText;
  updatedAt: Ms;
}

export interface StaffConsultationsTable {
  id: string;
  kind: string;
  heldOn: string;
  reference: string | null;
  recordedAt: Ms;
  recordedBy: string;
}

export interface TeamsTable {
  id: string;
  name: string;
  createdAt: Ms;
}

export interface AgentsTable {
  id: string;
  displayName: string;
  teamId: string | null;
  sipAor: string | null;
  extension: string | null;
  protectedLine: Flag;
  neverRecord: Flag;
  noticeVersion: number | null;
  noticeAckedAt: Ms | null;
  createdAt: Ms;
  updatedAt: Ms;
}

export interface AgentNoticeAcksTable {
  id: string;
  agentId: string;
  noticeVersion: number;
  ackedAt: Ms;
  source: string;
}

export interface UsersTable {
  id: string;
  login: string;
  displayName: string;
  passwordHash: string;
  roles: JsonText;
  teamScopes: JsonText;
  totpSecret: string | null;
  totpEnabled: Flag;
  /** Last TOTP step accepted (RFC 6238 §5.2 replay protection, migration 0002); null before any. */
  totpLastStep: number | null;
  disabled: Flag;
  agentId: string | null;
  createdAt: Ms;
  updatedAt: Ms;
}

export interface SessionsTable {
  idHash: string;
  userId: string;
  createdAt: Ms;
  expiresAt: Ms;
  csrfHash: string;
  revokedAt: Ms | null;
  /** 'totp' | 'idp' | null: the second factor this session proved (R-SEC-1, migration 0003). */
  secondFactor: string | null;
}

export interface ApiTokensTable {
  id: string;
  tokenHash: string;
  name: string;
  scopes: JsonText;
  createdAt: Ms;
  revokedAt: Ms | null;
  lastUsedAt: Ms | null;
}

export interface PoliciesTable {
  id: string;
  version: number;
  content: JsonText;
  state: string;
  createdAt: Ms;
  createdBy: string;
  activatedAt: Ms | null;
  activatedBy: string | null;
  retiredAt: Ms | null;
}

export interface CallsTable {
  id: string;
  startedAt: Ms;
  endedAt: Ms | null;
  direction: string;
  queue: string | null;
  agentId: string | null;
  team: string | null;
  protocol: string;
  protocolIds: JsonText;
  customerNumberEnc: string | null;
  customerHash: string | null;
  noticeVersion: number | null;
  noticeEndedAt: Ms | null;
  decision: JsonText | null;
}

export interface DecisionCountersTable {
  policyId: string;
  day: string;
  outcome: string;
  reason: string;
  ruleId: string;
  count: number;
}

export interface AgentDailyCountsTable {
  policyId: string;
  agentId: string;
  day: string;
  count: number;
}

export interface RecordingsTable {
  id: string;
  callId: string;
  state: string;
  policyId: string;
  policyVersion: number;
  purposes: JsonText;
  startedAt: Ms;
  endedAt: Ms | null;
  durationMs: number | null;
  segments: JsonText;
  channels: JsonText;
  codec: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  blobKey: string | null;
  expiresAt: Ms | null;
  audioExpiresAt: Ms | null;
  writeOnce: Flag;
  legalHoldId: string | null;
  agentId: string | null;
  team: string | null;
  queue: string | null;
  direction: string;
  customerHash: string | null;
  createdAt: Ms;
  updatedAt: Ms;
  /** Set while a deletion shreds the recording; no legal hold attaches meanwhile (R-RET-6, migration 0004). */
  deletionClaimedAt: Ms | null;
}

export interface DataKeysTable {
  recordingId: string;
  wrapped: Bytes;
  masterKeyId: string;
  createdAt: Ms;
  rotatedAt: Ms | null;
}

export interface ShredReceiptsTable {
  id: string;
  objectId: string;
  kind: string;
  at: Ms;
  rule: string;
  scope: JsonText;
}

export interface AnalysisDocumentsTable {
  id: string;
  recordingId: string | null;
  kind: string;
  agentId: string;
  evaluatorId: string;
  content: JsonText;
  createdAt: Ms;
  expiresAt: Ms;
}

export interface AccessLogTable {
  seq: number;
  prevHash: string;
  hash: string;
  at: Ms;
  actor: string;
  role: string;
  action: string;
  objectType: string;
  objectId: string | null;
  purpose: string | null;
  result: string;
  sourceAddress: string | null;
  detail: JsonText;
}

export interface LegalHoldsTable {
  id: string;
  reason: string;
  owner: string;
  reviewAt: Ms;
  createdAt: Ms;
  createdBy: string;
  releasedAt: Ms | null;
  releasedBy: string | null;
}

export interface DsrRequestsTable {
  id: string;
  kind: string;
  subject: JsonText;
  receivedAt: Ms;
  dueAt: Ms;
  extendedUntil: Ms | null;
  extensionReason: string | null;
  state: string;
  closedAt: Ms | null;
  outcome: string | null;
}

export interface OppositionListTable {
  numberHash: string;
  addedAt: Ms;
  source: string;
}

export interface JobsTable {
  id: string;
  kind: string;
  payload: JsonText;
  state: string;
  runAt: Ms;
  attempts: number;
  leaseOwner: string | null;
  leaseUntil: Ms | null;
  lastError: string | null;
  createdAt: Ms;
  finishedAt: Ms | null;
}

export interface Database {
  orgSettings: OrgSettingsTable;
  staffConsultations: StaffConsultationsTable;
  teams: TeamsTable;
  agents: AgentsTable;
  agentNoticeAcks: AgentNoticeAcksTable;
  users: UsersTable;
  sessions: SessionsTable;
  apiTokens: ApiTokensTable;
  policies: PoliciesTable;
  calls: CallsTable;
  decisionCounters: DecisionCountersTable;
  agentDailyCounts: AgentDailyCountsTable;
  recordings: RecordingsTable;
  dataKeys: DataKeysTable;
  shredReceipts: ShredReceiptsTable;
  analysisDocuments: AnalysisDocumentsTable;
  accessLog: AccessLogTable;
  legalHolds: LegalHoldsTable;
  dsrRequests: DsrRequestsTable;
  oppositionList: OppositionListTable;
  jobs: JobsTable;
}
