/**
 * On the very first start (no account at all), creates the `admin` account with a one-time password and
 * prints it once to stdout, never to the log (issue 6). Individual accounts follow from there (R-SEC-1).
 */
import type { Kysely } from 'kysely';
import type { Clock } from './clock.ts';
import type { Database } from './db/schema.ts';
import { IdentityStore } from './api/auth/identity.store.ts';
import { generatePassword, hashPassword } from './api/auth/password.ts';

export async function firstAdmin(
  db: Kysely<Database>,
  clock: Clock,
  print: (line: string) => void,
): Promise<boolean> {
  const store = new IdentityStore(db, clock);
  if ((await store.countUsers()) > 0) return false;
  const password = generatePassword();
  await store.create({
    login: 'admin',
    displayName: 'Administrator',
    passwordHash: await hashPassword(password),
    roles: ['admin'],
    teams: [],
  });
  print(
    `ecoute: first start: account "admin" created with the one-time password ${password} (shown once; change it at first login)`,
  );
  return true;
}
