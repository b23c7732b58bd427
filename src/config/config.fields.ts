/**
 * Every configuration field, its environment variable, its kind and its default (STYLE.md §7).
 * Units live in names. docs/configuration.md is generated from this table (a test keeps it current).
 */
export type FieldKind =
  | { readonly type: 'string'; readonly optional?: boolean; readonly secret?: boolean }
  | { readonly type: 'int'; readonly min: number; readonly max: number }
  | { readonly type: 'number'; readonly min: number; readonly max: number }
  | { readonly type: 'bool' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'list'; readonly values?: readonly string[] };

export interface FieldSpec {
  readonly path: string;
  readonly env: string;
  readonly kind: FieldKind;
  readonly default: string | number | boolean | readonly string[] | undefined;
  readonly doc: string;
}

const str = { type: 'string' } as const;
const optStr = { type: 'string', optional: true } as const;
const secret = { type: 'string', optional: true, secret: true } as const;
const port = { type: 'int', min: 0, max: 65535 } as const;

export const FIELDS: readonly FieldSpec[] = [
  {
    path: 'dataDir',
    env: 'ECOUTE_DATA_DIR',
    kind: str,
    default: './data',
    doc: 'Directory for the SQLite file, the spool, local blobs and the master key file.',
  },
  {
    path: 'roles',
    env: 'ECOUTE_ROLES',
    kind: { type: 'list', values: ['api', 'ingest', 'jobs'] },
    default: ['api', 'ingest', 'jobs'],
    doc: 'What this node serves: any of api, ingest, jobs.',
  },
  {
    path: 'policyFile',
    env: 'ECOUTE_POLICY_FILE',
    kind: optStr,
    default: undefined,
    doc: 'Policy file (YAML or JSON) loaded at start; policies can also be managed through the API.',
  },
  {
    path: 'log.level',
    env: 'ECOUTE_LOG_LEVEL',
    kind: { type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    default: 'info',
    doc: 'Log level. Logs never carry personal data.',
  },

  {
    path: 'http.host',
    env: 'ECOUTE_HTTP_HOST',
    kind: str,
    default: '0.0.0.0',
    doc: 'Address the API, console and WebSocket ingest listen on.',
  },
  {
    path: 'http.port',
    env: 'ECOUTE_HTTP_PORT',
    kind: port,
    default: 8080,
    doc: 'Port of the API and console (0 picks a free port).',
  },
  {
    path: 'http.publicUrl',
    env: 'ECOUTE_PUBLIC_URL',
    kind: optStr,
    default: undefined,
    doc: 'External URL of the console, used in links and notices.',
  },
  {
    path: 'http.secureCookies',
    env: 'ECOUTE_SECURE_COOKIES',
    kind: { type: 'bool' },
    default: false,
    doc: 'Mark session cookies Secure (set true behind TLS).',
  },

  {
    path: 'database.url',
    env: 'ECOUTE_DATABASE_URL',
    kind: optStr,
    default: undefined,
    doc: 'postgres://… for PostgreSQL; empty for the embedded SQLite file under dataDir.',
  },

  {
    path: 'blobs.kind',
    env: 'ECOUTE_BLOBS',
    kind: { type: 'enum', values: ['fs', 's3'] },
    default: 'fs',
    doc: 'Where sealed recordings live: local filesystem or an S3-compatible store.',
  },
  {
    path: 'blobs.s3.endpoint',
    env: 'ECOUTE_S3_ENDPOINT',
    kind: optStr,
    default: undefined,
    doc: 'S3 endpoint URL (path-style), e.g. http://127.0.0.1:18080.',
  },
  { path: 'blobs.s3.region', env: 'ECOUTE_S3_REGION', kind: str, default: 'us-east-1', doc: 'S3 region.' },
  {
    path: 'blobs.s3.bucket',
    env: 'ECOUTE_S3_BUCKET',
    kind: str,
    default: 'ecoute',
    doc: 'S3 bucket (created if missing).',
  },
  {
    path: 'blobs.s3.accessKeyId',
    env: 'ECOUTE_S3_ACCESS_KEY_ID',
    kind: secret,
    default: undefined,
    doc: 'S3 access key id.',
  },
  {
    path: 'blobs.s3.secretAccessKey',
    env: 'ECOUTE_S3_SECRET_ACCESS_KEY',
    kind: secret,
    default: undefined,
    doc: 'S3 secret key.',
  },

  {
    path: 'vault.masterKey',
    env: 'ECOUTE_MASTER_KEY',
    kind: secret,
    default: undefined,
    doc: 'Master key (32 bytes, base64). Empty: a key file under dataDir, created with mode 0600 on first start.',
  },
  {
    path: 'vault.chunkMs',
    env: 'ECOUTE_CHUNK_MS',
    kind: { type: 'int', min: 100, max: 5000 },
    default: 1000,
    doc: 'Spool chunk length in ms; a crash loses at most one chunk.',
  },
  {
    path: 'vault.storage',
    env: 'ECOUTE_VAULT_STORAGE',
    kind: { type: 'enum', values: ['opus', 'pcmu'] },
    default: 'opus',
    doc: 'How finished calls are stored: opus (Opus in Ogg, one mono stream per party; about 12 MB per call-hour, bench/storage) or pcmu (the spooled G.711 µ-law as is, 57.7 MB per call-hour). Recordings already sealed keep their format.',
  },
  {
    path: 'vault.opusBitrate',
    env: 'ECOUTE_VAULT_OPUS_BITRATE',
    kind: { type: 'int', min: 6000, max: 64000 },
    default: 14000,
    doc: 'Opus target bits per second of EACH channel (VBR; digital silence costs about 3000). 14000 keeps a call-hour at about 12.5 MB even when both parties talk all the time over line noise.',
  },
  {
    path: 'vault.opusComplexity',
    env: 'ECOUTE_VAULT_OPUS_COMPLEXITY',
    kind: { type: 'int', min: 0, max: 10 },
    default: 9,
    doc: 'Opus encoder complexity, 0-10: CPU against quality. Below 9, encoding is up to 1.4 times faster, but steady tones (ringback, hold music) decode less faithfully where playback starts mid-recording (docs/vault-format.md).',
  },
  {
    path: 'vault.sealWorkers',
    env: 'ECOUTE_VAULT_SEAL_WORKERS',
    kind: { type: 'int', min: 1, max: 32 },
    default: 1,
    doc: 'Child processes that re-encode finished calls to Opus, off the main thread; each one seals about 100-170 call-hours per hour of one core (bench/storage, 2-core machine), and bounds the encodes at once after a crash.',
  },
  {
    path: 'retention.batchSize',
    env: 'ECOUTE_RETENTION_BATCH_SIZE',
    kind: { type: 'int', min: 1, max: 5000 },
    default: 500,
    doc: 'Recordings per batch of the retention purge (R-RET-4): one key deletion, one bulk blob deletion and one transaction each.',
  },

  {
    path: 'sip.host',
    env: 'ECOUTE_SIP_HOST',
    kind: str,
    default: '0.0.0.0',
    doc: 'Address the SIPREC server listens on.',
  },
  { path: 'sip.port', env: 'ECOUTE_SIP_PORT', kind: port, default: 5060, doc: 'SIP port for UDP and TCP.' },
  {
    path: 'sip.transports',
    env: 'ECOUTE_SIP_TRANSPORTS',
    kind: { type: 'list', values: ['udp', 'tcp', 'tls'] },
    default: ['udp', 'tcp'],
    doc: 'SIP transports to open.',
  },
  { path: 'sip.tlsPort', env: 'ECOUTE_SIP_TLS_PORT', kind: port, default: 5061, doc: 'SIP over TLS port.' },
  {
    path: 'sip.tlsCert',
    env: 'ECOUTE_SIP_TLS_CERT',
    kind: optStr,
    default: undefined,
    doc: 'PEM certificate file for SIP over TLS.',
  },
  {
    path: 'sip.tlsKey',
    env: 'ECOUTE_SIP_TLS_KEY',
    kind: optStr,
    default: undefined,
    doc: 'PEM private key file for SIP over TLS.',
  },
  {
    path: 'sip.mediaAddress',
    env: 'ECOUTE_MEDIA_ADDRESS',
    kind: optStr,
    default: undefined,
    doc: 'Address announced in SDP answers (default: the address the INVITE came to).',
  },
  {
    path: 'sip.maxCalls',
    env: 'ECOUTE_SIP_MAX_CALLS',
    kind: { type: 'int', min: 1, max: 100000 },
    default: 2000,
    doc: 'Recording sessions (dialogs plus INVITEs being decided) above which new INVITEs get 503 with Retry-After.',
  },
  {
    path: 'sip.trunksFile',
    env: 'ECOUTE_SIP_TRUNKS_FILE',
    kind: optStr,
    default: undefined,
    doc: 'YAML file of SIPREC trunks: how each SRC maps agent, queue, direction and caller notice (docs/siprec.md).',
  },
  {
    path: 'rtp.portMin',
    env: 'ECOUTE_RTP_PORT_MIN',
    kind: { type: 'int', min: 1024, max: 65534 },
    default: 20000,
    doc: 'Lowest RTP port.',
  },
  {
    path: 'rtp.portMax',
    env: 'ECOUTE_RTP_PORT_MAX',
    kind: { type: 'int', min: 1024, max: 65534 },
    default: 30000,
    doc: 'Highest RTP port.',
  },
  {
    path: 'rtp.workers',
    env: 'ECOUTE_RTP_WORKERS',
    kind: { type: 'int', min: 1, max: 64 },
    default: 1,
    doc: 'RTP receive worker threads.',
  },

  {
    path: 'twilio.authToken',
    env: 'ECOUTE_TWILIO_AUTH_TOKEN',
    kind: secret,
    default: undefined,
    doc: 'Twilio auth token that signs Media Streams upgrades (X-Twilio-Signature).',
  },
  {
    path: 'audiohook.apiKey',
    env: 'ECOUTE_AUDIOHOOK_API_KEY',
    kind: secret,
    default: undefined,
    doc: 'AudioHook X-API-KEY expected from Genesys Cloud.',
  },
  {
    path: 'audiohook.clientSecret',
    env: 'ECOUTE_AUDIOHOOK_CLIENT_SECRET',
    kind: secret,
    default: undefined,
    doc: 'AudioHook client secret (base64) for HTTP Message Signatures.',
  },
  {
    path: 'fork.username',
    env: 'ECOUTE_FORK_USERNAME',
    kind: optStr,
    default: undefined,
    doc: 'HTTP Basic user that jambonz listen (wsAuth) / mod_audio_fork must send to /ingest/fork; empty refuses all.',
  },
  {
    path: 'fork.password',
    env: 'ECOUTE_FORK_PASSWORD',
    kind: secret,
    default: undefined,
    doc: 'HTTP Basic password for /ingest/fork.',
  },

  {
    path: 'nats.url',
    env: 'ECOUTE_NATS_URL',
    kind: optStr,
    default: undefined,
    doc: 'NATS server for cluster events and live listening across nodes (nats://host:4222, or tls://host:4222 to require TLS; several comma-separated); empty: in-process. See operations.md "Securing NATS".',
  },
  {
    path: 'nats.controlTimeoutMs',
    env: 'ECOUTE_NATS_CONTROL_TIMEOUT_MS',
    kind: { type: 'int', min: 100, max: 30000 },
    default: 2000,
    doc: 'How long a node waits for the node holding a call to apply a forwarded call-control press (pause, objection…) before answering 503 ECOUTE_CLUSTER_OWNER_UNREACHABLE.',
  },
  {
    path: 'nats.token',
    env: 'ECOUTE_NATS_TOKEN',
    kind: secret,
    default: undefined,
    doc: 'Token for a NATS server run with `authorization { token }` (exclusive of nats.user and nats.credsFile).',
  },
  {
    path: 'nats.user',
    env: 'ECOUTE_NATS_USER',
    kind: optStr,
    default: undefined,
    doc: 'User name for a NATS server with user/password authorization; needs nats.password.',
  },
  {
    path: 'nats.password',
    env: 'ECOUTE_NATS_PASSWORD',
    kind: secret,
    default: undefined,
    doc: 'Password of nats.user.',
  },
  {
    path: 'nats.credsFile',
    env: 'ECOUTE_NATS_CREDS_FILE',
    kind: optStr,
    default: undefined,
    doc: 'NATS credentials file (.creds: user JWT and NKey seed, decentralized JWT auth); read at start.',
  },
  {
    path: 'nats.tls.caFile',
    env: 'ECOUTE_NATS_TLS_CA_FILE',
    kind: optStr,
    default: undefined,
    doc: 'PEM CA that signed the NATS server certificate (a private CA); setting any nats.tls.* or a tls:// URL requires TLS.',
  },
  {
    path: 'nats.tls.certFile',
    env: 'ECOUTE_NATS_TLS_CERT_FILE',
    kind: optStr,
    default: undefined,
    doc: 'PEM client certificate for a NATS server that verifies clients (`tls { verify: true }`); needs nats.tls.keyFile.',
  },
  {
    path: 'nats.tls.keyFile',
    env: 'ECOUTE_NATS_TLS_KEY_FILE',
    kind: optStr,
    default: undefined,
    doc: 'PEM private key of nats.tls.certFile.',
  },

  {
    path: 'oidc.issuer',
    env: 'ECOUTE_OIDC_ISSUER',
    kind: optStr,
    default: undefined,
    doc: 'OpenID Connect issuer URL for enterprise SSO (discovery at /.well-known/openid-configuration); empty: SSO off.',
  },
  {
    path: 'oidc.clientId',
    env: 'ECOUTE_OIDC_CLIENT_ID',
    kind: optStr,
    default: undefined,
    doc: 'Client id registered at the OpenID Connect provider.',
  },
  {
    path: 'oidc.clientSecret',
    env: 'ECOUTE_OIDC_CLIENT_SECRET',
    kind: secret,
    default: undefined,
    doc: 'Client secret registered at the OpenID Connect provider (client_secret_basic).',
  },
  {
    path: 'oidc.redirectUrl',
    env: 'ECOUTE_OIDC_REDIRECT_URL',
    kind: optStr,
    default: undefined,
    doc: 'Callback URL registered at the provider, e.g. https://ecoute.example/api/auth/oidc/callback.',
  },
  {
    path: 'oidc.claimMapping',
    env: 'ECOUTE_OIDC_CLAIM_MAPPING',
    kind: optStr,
    default: undefined,
    doc: 'JSON object mapping `groups` claim values to roles and teams, e.g. {"cc-supervisors":{"role":"supervisor"},"team-a":{"team":"teamA"}}.',
  },
  {
    path: 'oidc.mfaAmr',
    env: 'ECOUTE_OIDC_MFA_AMR',
    kind: { type: 'list' },
    default: ['mfa', 'pwd+otp', 'pwd+hwk', 'hwk+pin', 'hwk+fpt'],
    doc: 'R-SEC-1: `amr` values (RFC 8176) of the signed ID token that count as a second factor, so an SSO user of an audio role needs no Ecoute TOTP. Each entry is one value or values joined by + that must all be present; empty list: never trust the IdP, always require Ecoute TOTP. A lone otp, hwk, swk or sms is one factor and is not accepted by default.',
  },

  {
    path: 'audit.retentionDays',
    env: 'ECOUTE_AUDIT_RETENTION_DAYS',
    kind: { type: 'int', min: 183, max: 1095 },
    default: 365,
    doc: 'Access-log retention (R-SEC-2): 183–365 days, up to 1095 with audit.retentionReason.',
  },
  {
    path: 'audit.retentionReason',
    env: 'ECOUTE_AUDIT_RETENTION_REASON',
    kind: optStr,
    default: undefined,
    doc: 'Documented reason required when audit.retentionDays exceeds 365.',
  },
  {
    path: 'audit.checkpointKey',
    env: 'ECOUTE_AUDIT_CHECKPOINT_KEY',
    kind: secret,
    default: undefined,
    doc: 'Key of the access log’s signed checkpoints (base64, 32+ bytes). Empty: on PostgreSQL a key shared by every node, kept in the key store wrapped by the master key; on SQLite dataDir/audit-checkpoint.key, created on first start.',
  },
];
