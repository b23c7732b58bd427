import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Where `scripts/build-web.mjs` writes the console by default: web/dist at the repository root. */
export const DEFAULT_CONSOLE_DIR = resolve(import.meta.dirname, '../../../web/dist');

export interface ConsoleOptions {
  /** Directory holding the built console (index.html, assets/); default web/dist. */
  readonly distDir?: string;
}

/** Hashed file names never change content: a year, immutable. index.html must always be revalidated. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // The console loads only its own scripts and styles; audio comes as blob: URLs (player) from /api.
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Only `/api/…` and `/health`/`/ready` belong to the API; every other GET is the SPA. */
function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url === '/health' || url === '/ready';
}

function fileIn(dir: string, urlPath: string): string | undefined {
  const rel = decodeURIComponent(urlPath.split('?')[0] ?? '').replace(/^\/+/, '');
  if (rel === '' || rel.includes('..') || rel.includes('\0')) return undefined;
  const full = join(dir, rel);
  try {
    return statSync(full).isFile() ? rel : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves the console under `/`: hashed assets with immutable caching, other files as they are, and
 * index.html for every other non-API GET (the SPA routes on the client with the History API).
 * Routes declare `config.access: 'public'` (the console is public code; its data comes from guarded
 * /api routes) and a hidden schema, as the API's route guard demands.
 */
export const consolePlugin: FastifyPluginAsync<ConsoleOptions> = async (app, opts) => {
  const dir = opts.distDir ?? DEFAULT_CONSOLE_DIR;
  const built = existsSync(join(dir, 'index.html'));
  const route = { config: { access: 'public' as const }, schema: { hide: true } };

  if (!built) {
    app.get('/', route, async (_req, reply) =>
      reply
        .code(503)
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><title>Ecoute</title><p>Console not built: run <code>node scripts/build-web.mjs</code>.</p>',
        ),
    );
    return;
  }

  await app.register(fastifyStatic, { root: dir, serve: false });

  const sendIndex = (reply: FastifyReply): FastifyReply =>
    reply
      .headers(SECURITY_HEADERS)
      .header('cache-control', REVALIDATE)
      .sendFile('index.html', { cacheControl: false });

  app.get('/', route, async (_req, reply) => sendIndex(reply));
  app.get('/*', route, async (req, reply) => {
    if (isApiPath(req.url)) return reply.callNotFound();
    const rel = fileIn(dir, req.url);
    if (rel === undefined) {
      // A missing hashed asset is a real 404 (a stale tab after a deploy), not the SPA.
      if (req.url.startsWith('/assets/')) return reply.callNotFound();
      return sendIndex(reply);
    }
    const cache = rel.startsWith('assets/') ? IMMUTABLE : REVALIDATE;
    return reply
      .header('cache-control', cache)
      .header('x-content-type-options', 'nosniff')
      .sendFile(rel, { cacheControl: false });
  });
};
