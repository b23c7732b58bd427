import type { CommandModule } from '../cli.ts';
import { ExitCode } from '../cli.ts';
import { systemClock } from '../../clock.ts';
import { isRole } from '../../api/access/roles.ts';

/** `ecoute user add --login L --role admin`: prints a one-time password once, to stdout only. */
export const userCommand: CommandModule = ({ program, config, out, err }) => {
  const user = program.command('user').description('local accounts (R-SEC-1: individual, least privilege)');
  user
    .command('add')
    .requiredOption('--login <login>', 'login name')
    .requiredOption(
      '--role <role...>',
      'one or more of admin, dpo, supervisor, evaluator, trainer, agent, auditor',
    )
    .option('--team <team...>', 'team scopes (supervisor, evaluator, trainer)', [])
    .action(async (o: { login: string; role: string[]; team: string[] }) => {
      const roles = o.role.filter(isRole);
      if (roles.length !== o.role.length) {
        err('ecoute: unknown role');
        throw new ExitCode(2);
      }
      const { openDatabaseFromConfig } = await import('../../db/index.ts');
      const { IdentityStore } = await import('../../api/auth/identity.store.ts');
      const { generatePassword, hashPassword } = await import('../../api/auth/password.ts');
      const db = await openDatabaseFromConfig(config(), systemClock);
      try {
        const store = new IdentityStore(db.kysely, systemClock);
        if (await store.byLogin(o.login)) {
          err('ecoute: ECOUTE_API_CONFLICT: login already taken');
          throw new ExitCode(1);
        }
        const password = generatePassword();
        await store.create({
          login: o.login,
          displayName: o.login,
          passwordHash: await hashPassword(password),
          roles,
          teams: o.team,
        });
        out(`user ${o.login} created; one-time password (shown once): ${password}`);
      } finally {
        await db.close();
      }
    });
};
