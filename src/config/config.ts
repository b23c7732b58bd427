import { readFileSync } from 'node:fs';
import { resolve, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fail } from '../errors.ts';
import { ConfigErrors } from './errors.ts';
import { FIELDS, type FieldSpec } from './config.fields.ts';

/** Ecoute's whole configuration, validated and frozen. Field docs and defaults: config.fields.ts. */
export interface Config {
  readonly dataDir: string;
  readonly roles: readonly ('api' | 'ingest' | 'jobs')[];
  readonly policyFile: string | undefined;
  readonly log: { readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly publicUrl: string | undefined;
    readonly secureCookies: boolean;
  };
  readonly database: { readonly url: string | undefined };
  readonly blobs: {
    readonly kind: 'fs' | 's3';
    readonly s3: {
      readonly endpoint: string | undefined;
      readonly region: string;
      readonly bucket: string;
      readonly accessKeyId: string | undefined;
      readonly secretAccessKey: string | undefined;
    };
  };
  readonly vault: {
    readonly masterKey: string | undefined;
    readonly chunkMs: number;
    readonly storage: 'opus' | 'pcmu';
    readonly opusBitrate: number;
    readonly opusComplexity: number;
    readonly sealWorkers: number;
  };
  readonly retention: { readonly batchSize: number };
  readonly sip: {
    readonly host: string;
    readonly port: number;
    readonly transports: readonly ('udp' | 'tcp' | 'tls')[];
    readonly tlsPort: number;
    readonly tlsCert: string | undefined;
    readonly tlsKey: string | undefined;
    readonly mediaAddress: string | undefined;
    readonly maxCalls: number;
    readonly trunksFile: string | undefined;
  };
  readonly rtp: { readonly portMin: number; readonly portMax: number; readonly workers: number };
  readonly twilio: { readonly authToken: string | undefined };
  readonly audiohook: { readonly apiKey: string | undefined; readonly clientSecret: string | undefined };
  readonly fork: { readonly username: string | undefined; readonly password: string | undefined };
  /** Cluster transport; the auth and TLS fields go to NatsRelay as they are (NatsAuth). */
  readonly nats: {
    readonly url: string | undefined;
    readonly controlTimeoutMs: number;
    readonly token: string | undefined;
    readonly user: string | undefined;
    readonly password: string | undefined;
    readonly credsFile: string | undefined;
    readonly tls: {
      readonly caFile: string | undefined;
      readonly certFile: string | undefined;
      readonly keyFile: string | undefined;
    };
  };
  /** OpenID Connect SSO (issue 6): enabled when issuer is set. */
  readonly oidc: {
    readonly issuer: string | undefined;
    readonly clientId: string | undefined;
    readonly clientSecret: string | undefined;
    readonly redirectUrl: string | undefined;
    /** JSON text of a ClaimMapping (src/api/auth/oidc.ts). */
    readonly claimMapping: string | undefined;
    /** R-SEC-1: accepted `amr` rules (`mfa`, `pwd+otp`…), parsed by src/api/auth/oidc.ts; empty: never. */
    readonly mfaAmr: readonly string[];
  };
  readonly audit: {
    readonly retentionDays: number;
    readonly retentionReason: string | undefined;
    readonly checkpointKey: string | undefined;
  };
}

export interface LoadOptions {
  /** Path from `--config`; otherwise ECOUTE_CONFIG; otherwise no file. */
  readonly file?: string | undefined;
  /** The environment to read (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Overrides applied last, by dotted path (used by tests and CLI flags). */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

type Json = unknown;

function readFile(path: string): Record<string, Json> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw fail(ConfigErrors.FILE_UNREADABLE, `cannot read configuration file ${path}`, { path }, e);
  }
  try {
    const value: Json = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
    if (value === null || value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error('top level is not a mapping');
    return value as Record<string, Json>;
  } catch (e) {
    throw fail(
      ConfigErrors.FILE_UNREADABLE,
      `cannot parse configuration file ${path}: ${(e as Error).message}`,
      { path },
      e,
    );
  }
}

/** Flattens `{a: {b: 1}}` into `{'a.b': 1}`, stopping at arrays and at known leaf paths. */
function flatten(
  obj: Record<string, Json>,
  prefix: string,
  leaves: ReadonlySet<string>,
  out: Map<string, Json>,
): void {
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (!leaves.has(path) && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      flatten(v as Record<string, Json>, path, leaves, out);
    } else {
      out.set(path, v);
    }
  }
}

function invalid(field: FieldSpec, value: unknown, expected: string, source: string): never {
  const shown = field.kind.type === 'string' && field.kind.secret ? '(hidden)' : JSON.stringify(value);
  throw fail(
    ConfigErrors.INVALID_FIELD,
    `configuration field ${field.path} (${source}) has value ${shown}; expected ${expected}`,
    { field: field.path, expected, source },
  );
}

/** Coerces a raw value (from the file, or a string from the environment) to the field's kind. */
function coerce(field: FieldSpec, raw: unknown, source: string): unknown {
  const k = field.kind;
  const fromEnv = typeof raw === 'string' && source.startsWith('env');
  switch (k.type) {
    case 'string':
      if (typeof raw === 'number') return String(raw);
      if (typeof raw !== 'string') return invalid(field, raw, 'a string', source);
      if (raw === '') return k.optional ? undefined : invalid(field, raw, 'a non-empty string', source);
      return raw;
    case 'int':
    case 'number': {
      const n = fromEnv && raw.trim() !== '' ? Number(raw) : raw;
      const expected = `${k.type === 'int' ? 'an integer' : 'a number'} from ${k.min} to ${k.max}`;
      if (typeof n !== 'number' || !Number.isFinite(n)) return invalid(field, raw, expected, source);
      if ((k.type === 'int' && !Number.isInteger(n)) || n < k.min || n > k.max)
        return invalid(field, raw, expected, source);
      return n;
    }
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (fromEnv && ['true', '1', 'yes'].includes(raw)) return true;
      if (fromEnv && ['false', '0', 'no'].includes(raw)) return false;
      return invalid(field, raw, 'true or false', source);
    case 'enum':
      if (typeof raw !== 'string' || !k.values.includes(raw))
        return invalid(field, raw, `one of ${k.values.join(', ')}`, source);
      return raw;
    case 'list': {
      const list: unknown = fromEnv
        ? raw
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : raw;
      const expected = k.values ? `a list of ${k.values.join(', ')}` : 'a list of strings';
      if (!Array.isArray(list) || !list.every((x) => typeof x === 'string'))
        return invalid(field, raw, expected, source);
      if (k.values && !list.every((x: string) => k.values?.includes(x)))
        return invalid(field, raw, expected, source);
      return Object.freeze([...list]);
    }
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const p of parts.slice(0, -1)) {
    node[p] ??= {};
    node = node[p] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Reads the optional config file, the environment and overrides into one frozen Config. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.ECOUTE_CONFIG;
  const leaves = new Set(FIELDS.map((f) => f.path));
  const fromFile = new Map<string, Json>();
  if (file) flatten(readFile(resolve(file)), '', leaves, fromFile);
  for (const path of fromFile.keys()) {
    if (!leaves.has(path)) {
      throw fail(ConfigErrors.UNKNOWN_FIELD, `configuration file names unknown field ${path}`, {
        field: path,
      });
    }
  }
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) {
    let value: unknown = field.default;
    if (fromFile.has(field.path)) value = coerce(field, fromFile.get(field.path), `file ${file ?? ''}`);
    const envValue = env[field.env];
    if (envValue !== undefined) value = coerce(field, envValue, `env ${field.env}`);
    if (options.overrides && field.path in options.overrides)
      value = coerce(field, options.overrides[field.path], 'override');
    setPath(out, field.path, value);
  }
  const config = out as unknown as Config;
  crossCheck(config);
  return deepFreeze(config);
}

function crossCheck(c: Config): void {
  const field = (path: string) => FIELDS.find((f) => f.path === path) as FieldSpec;
  if (c.rtp.portMin >= c.rtp.portMax)
    invalid(field('rtp.portMax'), c.rtp.portMax, `a port above rtp.portMin (${c.rtp.portMin})`, 'check');
  if (c.audit.retentionDays > 365 && !c.audit.retentionReason) {
    invalid(
      field('audit.retentionDays'),
      c.audit.retentionDays,
      'at most 365 unless audit.retentionReason documents why (R-SEC-2)',
      'check',
    );
  }
  if (c.blobs.kind === 's3' && !c.blobs.s3.endpoint)
    invalid(field('blobs.s3.endpoint'), undefined, 'an endpoint URL when blobs.kind is s3', 'check');
  // One way to authenticate to NATS, and only complete pairs: a half-configured secret must not start a
  // node that then fails at its first reconnect.
  const natsAuth = [c.nats.token, c.nats.user, c.nats.credsFile].filter((v) => v !== undefined).length;
  if (natsAuth > 1)
    invalid(field('nats.token'), '(hidden)', 'only one of nats.token, nats.user, nats.credsFile', 'check');
  if ((c.nats.user === undefined) !== (c.nats.password === undefined))
    invalid(field('nats.user'), c.nats.user, 'nats.user and nats.password set together', 'check');
  if ((c.nats.tls.certFile === undefined) !== (c.nats.tls.keyFile === undefined))
    invalid(
      field('nats.tls.certFile'),
      c.nats.tls.certFile,
      'nats.tls.certFile and nats.tls.keyFile set together',
      'check',
    );
  if (c.sip.transports.includes('tls') && (!c.sip.tlsCert || !c.sip.tlsKey)) {
    invalid(
      field('sip.tlsCert'),
      c.sip.tlsCert,
      'a certificate and key file when sip.transports includes tls',
      'check',
    );
  }
}
