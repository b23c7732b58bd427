/**
 * The error catalogue's shared shape (STYLE.md §6). Each area declares its codes in its own `errors.ts`
 * with `defineErrors`; every code is documented in docs/errors.md (a test checks it). Only src/api/ maps
 * codes to HTTP statuses.
 */

/** A rule id of RULEBOOK.md, e.g. `R-PUR-3`. */
export type RuleId = `R-${string}-${number}`;

export interface ErrorSpec {
  /** Stable code, `ECOUTE_<AREA>_<WHAT>`. */
  readonly code: string;
  /** One line for docs/errors.md and default messages. */
  readonly summary: string;
  /** The rulebook rule this error enforces, if any. */
  readonly rule?: RuleId;
}

export type ErrorContext = Readonly<Record<string, unknown>>;

export class EcouteError extends Error {
  readonly code: string;
  readonly rule: RuleId | undefined;
  readonly context: ErrorContext;

  constructor(spec: ErrorSpec, message?: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message ?? spec.summary, options);
    this.name = 'EcouteError';
    this.code = spec.code;
    this.rule = spec.rule;
    this.context = context;
  }
}

/** Declares an area's catalogue; keeps the literal keys so call sites read `PolicyErrors.SYSTEMATIC`. */
export function defineErrors<const T extends Record<string, ErrorSpec>>(catalogue: T): T {
  for (const spec of Object.values(catalogue)) {
    if (!/^ECOUTE_[A-Z0-9]+_[A-Z0-9_]+$/.test(spec.code)) throw new Error(`bad error code ${spec.code}`);
  }
  return Object.freeze(catalogue);
}

/** Builds an error from a catalogue entry. */
export function fail(
  spec: ErrorSpec,
  message?: string,
  context?: ErrorContext,
  cause?: unknown,
): EcouteError {
  return new EcouteError(spec, message, context, cause === undefined ? undefined : { cause });
}

export function isEcouteError(e: unknown, spec?: ErrorSpec): e is EcouteError {
  return e instanceof EcouteError && (spec === undefined || e.code === spec.code);
}
