/**
 * R-EMP-2: agents acknowledge the current employee notice through a personal link. The link carries a
 * signed token (HMAC-SHA-256 over agent id, notice version and expiry); the public page shows the notice
 * and the acknowledgement is stored with the version. A new notice version needs a new acknowledgement:
 * the policy engine refuses to record an agent whose acknowledged version is not the current one.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { DAY_MS } from '../clock.ts';
import type { Agent, AgentsRepo } from '../db/agents.repo.ts';
import { fail } from '../errors.ts';
import { RightsErrors } from './errors.ts';

export interface AckClaims {
  readonly agentId: string;
  readonly version: number;
  /** ms since epoch. */
  readonly expiresAt: number;
}

const sign = (payload: string, key: Uint8Array): string =>
  createHmac('sha256', key).update(payload).digest('base64url');

export function signAckToken(c: AckClaims, key: Uint8Array): string {
  const payload = Buffer.from(JSON.stringify([c.agentId, c.version, c.expiresAt]), 'utf8').toString(
    'base64url',
  );
  return `${payload}.${sign(payload, key)}`;
}

export function verifyAckToken(token: string, key: Uint8Array, now: number): AckClaims {
  const [payload, sig] = token.split('.');
  const bad = () => fail(RightsErrors.ACK_TOKEN_INVALID);
  if (!payload || !sig) throw bad();
  const expected = Buffer.from(sign(payload, key));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw bad();
  const [agentId, version, expiresAt] = parsed as unknown[];
  if (typeof agentId !== 'string' || typeof version !== 'number' || typeof expiresAt !== 'number')
    throw bad();
  if (expiresAt < now) throw fail(RightsErrors.ACK_TOKEN_INVALID, 'the acknowledgement link has expired');
  return { agentId, version, expiresAt };
}

export interface AckDeps {
  readonly agents: Pick<AgentsRepo, 'get' | 'ack' | 'list'>;
  readonly clock: Clock;
  /** Secret of the links, at least 32 bytes, kept outside the database. */
  readonly key: Uint8Array;
  /** The current employee notice version (policy file `notices.employee.version`). */
  readonly currentVersion: () => number;
  /** Validity of a link, days (default 30). */
  readonly linkDays?: number;
}

export class AckService {
  readonly #d: AckDeps;

  constructor(deps: AckDeps) {
    this.#d = deps;
  }

  /** The personal link path of one agent for the current version: `/ack/<token>`. */
  async link(agentId: string): Promise<string> {
    const agent = await this.#d.agents.get(agentId);
    if (!agent) throw fail(RightsErrors.NOT_FOUND, `no agent ${agentId}`, { agentId });
    const expiresAt = this.#d.clock.now() + (this.#d.linkDays ?? 30) * DAY_MS;
    return `/ack/${signAckToken({ agentId, version: this.#d.currentVersion(), expiresAt }, this.#d.key)}`;
  }

  /** Agents who still have to acknowledge the current version (to send them their link). */
  async pending(): Promise<Agent[]> {
    const v = this.#d.currentVersion();
    return (await this.#d.agents.list()).filter((a) => a.noticeVersion !== v);
  }

  /** What the public page shows before the agent confirms. */
  read(token: string): AckClaims & { readonly current: boolean } {
    const c = verifyAckToken(token, this.#d.key, this.#d.clock.now());
    return { ...c, current: c.version === this.#d.currentVersion() };
  }

  /** Stores the acknowledgement with its version; a link for a superseded version is refused. */
  async acknowledge(token: string): Promise<Agent> {
    const c = this.read(token);
    if (!c.current)
      throw fail(RightsErrors.ACK_TOKEN_INVALID, 'this link is for a superseded version of the notice', {
        version: c.version,
      });
    return this.#d.agents.ack(c.agentId, c.version, 'link');
  }
}
