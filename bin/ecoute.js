#!/usr/bin/env node
// The `ecoute` command: runs the TypeScript CLI through tsx (no build step for the user).
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

register();
const here = dirname(fileURLToPath(import.meta.url));
await import(pathToFileURL(join(here, '..', 'src', 'cli', 'main.ts')).href);
