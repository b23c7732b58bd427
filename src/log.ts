import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Field names that may carry personal data; their values are replaced by "[redacted]" wherever they
 * appear (STYLE.md §11). Messages are constant strings; values go in fields.
 */
const PERSONAL_KEYS = [
  'number',
  'phone',
  'phoneNumber',
  'customerNumber',
  'caller',
  'callee',
  'from',
  'to',
  'ani',
  'dnis',
  'aor',
  'uri',
  'sipUri',
  'name',
  'displayName',
  'transcript',
  'text',
  'email',
  'password',
  'token',
  'secret',
  'authorization',
  'cookie',
] as const;

const redactPaths = PERSONAL_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

/** Scrubs what still looks like a phone number, a SIP URI or an e-mail address out of any string. */
export function scrub(text: string): string {
  return text
    .replace(/\b(?:sips?|tel):[^\s;>"',]+/gi, '[uri]')
    .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '[email]')
    .replace(/\+?\d[\d -]{6,}\d/g, '[number]');
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: redactPaths, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        // A message is a constant string by convention; scrub anyway so a mistake cannot leak a number.
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as typeof args;
          method.apply(this, scrubbed);
        },
      },
      serializers: {
        err: (e: Error & { code?: string }) => ({ type: e.name, code: e.code, message: scrub(e.message) }),
      },
    },
    destination,
  );
}

/** A logger that writes nothing, for tests and tools. */
export const silentLogger: Logger = pino({ level: 'silent' });
