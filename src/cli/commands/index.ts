import type { CommandModule } from '../cli.ts';
import { serveCommand } from './serve.command.ts';

/** Every command group of the `ecoute` CLI; each lives in its own `<name>.command.ts`. */
export const commands: readonly CommandModule[] = [serveCommand];
