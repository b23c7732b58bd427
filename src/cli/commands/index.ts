import type { CommandModule } from '../cli.ts';
import { policyCommand } from './policy.command.ts';
import { serveCommand } from './serve.command.ts';
import { auditCommand } from './audit.command.ts';
import { userCommand } from './user.command.ts';
import { vaultCommands } from './vault.command.ts';
import { migrateCommand } from './migrate.command.ts';
import { agentsCommand } from './agents.command.ts';
import { recordingsCommand } from './recordings.command.ts';
import { importCommand } from './import.command.ts';
import { dsrCommands } from './dsr.command.ts';
import { holdsCommands } from './holds.command.ts';
import { retentionCommands } from './retention.command.ts';
import { documentsCommands } from './documents.command.ts';

/** Every command group of the `ecoute` CLI; each lives in its own `<name>.command.ts`. */
export const commands: readonly CommandModule[] = [serveCommand, policyCommand, vaultCommands, userCommand, auditCommand, migrateCommand, agentsCommand, recordingsCommand, importCommand, dsrCommands, holdsCommands, retentionCommands, documentsCommands];
