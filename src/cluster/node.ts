/**
 * This node's identity in the cluster: in job leases, call announcements and metrics labels. Stable for
 * the life of the process; a restarted node is a new node (its old calls expire from the others' lists).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export interface NodeIdentity {
  /** `host:pid:random`, unique across restarts. */
  readonly id: string;
  readonly roles: readonly ('api' | 'ingest' | 'jobs')[];
}

export function nodeIdentity(roles: NodeIdentity['roles']): NodeIdentity {
  return { id: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`, roles };
}

/** What a node with these roles runs; the API answers health, readiness and metrics on every node. */
export function runs(roles: NodeIdentity['roles']): { api: boolean; ingest: boolean; jobs: boolean } {
  return { api: roles.includes('api'), ingest: roles.includes('ingest'), jobs: roles.includes('jobs') };
}
