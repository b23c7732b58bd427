/**
 * Webhook endpoints, kept in the organisation settings (key `webhooks.endpoints`) and managed by an admin
 * through the API, so that adding a CRM integration needs no restart and no secret in the environment.
 * The secret is generated here, shown once at creation, and kept because signing needs it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { fail } from '../errors.ts';
import { WebhookErrors } from './errors.ts';

export const WEBHOOK_EVENTS = [
  'recording.sealed',
  'recording.deleted',
  'call.objection',
  'request.due',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly secret: string;
  readonly events: readonly WebhookEvent[];
  readonly createdAt: number;
  readonly createdBy: string;
}

/** The part of the settings repository the endpoints use. */
export interface SettingsStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

const KEY = 'webhooks.endpoints';

export function isWebhookEvent(x: string): x is WebhookEvent {
  return (WEBHOOK_EVENTS as readonly string[]).includes(x);
}

function checkedUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw fail(WebhookErrors.BAD_ENDPOINT, 'the URL does not parse');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw fail(WebhookErrors.BAD_ENDPOINT, 'only http and https URLs are accepted');
  if (u.username || u.password)
    throw fail(WebhookErrors.BAD_ENDPOINT, 'credentials in the URL are refused: the signature authenticates');
  return u.toString();
}

export class WebhookEndpoints {
  constructor(
    private readonly settings: SettingsStore,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<WebhookEndpoint[]> {
    return (await this.settings.get<WebhookEndpoint[]>(KEY)) ?? [];
  }

  async add(input: { url: string; events: readonly string[]; by: string }): Promise<WebhookEndpoint> {
    const events = [...new Set(input.events)];
    if (events.length === 0 || !events.every(isWebhookEvent))
      throw fail(WebhookErrors.BAD_ENDPOINT, `events must be among ${WEBHOOK_EVENTS.join(', ')}`);
    const endpoint: WebhookEndpoint = {
      id: randomUUID(),
      url: checkedUrl(input.url),
      secret: `whsec_${randomBytes(32).toString('base64url')}`,
      events,
      createdAt: this.clock.now(),
      createdBy: input.by,
    };
    await this.settings.set(KEY, [...(await this.list()), endpoint]);
    return endpoint;
  }

  async remove(id: string): Promise<void> {
    const all = await this.list();
    if (!all.some((e) => e.id === id)) throw fail(WebhookErrors.UNKNOWN_ENDPOINT, undefined, { id });
    await this.settings.set(
      KEY,
      all.filter((e) => e.id !== id),
    );
  }
}
