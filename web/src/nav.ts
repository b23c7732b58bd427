import type { Key } from './i18n/index.ts';
import type { Role } from './session.ts';

export interface NavItem {
  readonly href: string;
  readonly label: Key;
}

const home: NavItem = { href: '/', label: 'nav.home' };
const listening: NavItem[] = [
  { href: '/recordings', label: 'nav.recordings' },
  { href: '/live', label: 'nav.live' },
  { href: '/evaluations', label: 'nav.evaluations' },
];

/** The left navigation, by role (least privilege: a role sees only what it may use). */
const NAV_BY_ROLE: Record<Role, readonly NavItem[]> = {
  supervisor: [home, ...listening],
  evaluator: [home, ...listening],
  trainer: [home, ...listening],
  agent: [
    home,
    { href: '/me/campaigns', label: 'nav.myCampaigns' },
    { href: '/me/recordings', label: 'nav.myRecordings' },
    { href: '/me/evaluations', label: 'nav.myEvaluations' },
    { href: '/me/listeners', label: 'nav.myListeners' },
  ],
  dpo: [
    home,
    { href: '/dpo/policies', label: 'nav.policies' },
    { href: '/dpo/staff', label: 'nav.staff' },
    { href: '/dpo/audit', label: 'nav.audit' },
    { href: '/dpo/holds', label: 'nav.holds' },
    { href: '/dpo/requests', label: 'nav.requests' },
    { href: '/dpo/report', label: 'nav.report' },
    { href: '/dpo/documents', label: 'nav.documents' },
    { href: '/recordings', label: 'nav.recordings' },
  ],
  auditor: [home, { href: '/dpo/audit', label: 'nav.audit' }, { href: '/dpo/report', label: 'nav.report' }],
  admin: [
    home,
    { href: '/admin/users', label: 'nav.users' },
    { href: '/admin/teams', label: 'nav.teams' },
    { href: '/admin/tokens', label: 'nav.tokens' },
    { href: '/admin/webhooks', label: 'nav.webhooks' },
    { href: '/admin/integrations', label: 'nav.integrations' },
  ],
};

/**
 * The roles the API lets administer accounts (`user_admin` in src/api/access/roles.ts, R-SEC-1: least
 * privilege); test/console-nav.test.ts keeps both lists, and the link to /admin/users, in step.
 */
export const USER_ADMIN_ROLES: readonly Role[] = ['admin'];

export function canAdministerUsers(roles: readonly Role[]): boolean {
  return roles.some((r) => USER_ADMIN_ROLES.includes(r));
}

/** The navigation of a user holding several roles: the union of their roles' pages, in role order. */
export function navFor(roles: readonly Role[]): readonly NavItem[] {
  const seen = new Set<string>();
  const out: NavItem[] = [];
  for (const r of roles)
    for (const i of NAV_BY_ROLE[r]) if (!seen.has(i.href)) (seen.add(i.href), out.push(i));
  return out.length > 0 ? out : [home];
}
