/**
 * The composition root (STYLE.md §4): the only place that builds adapters and hands them out.
 */
import Fastify from 'fastify';
import type { Config } from './config/config.ts';
import { createLogger } from './log.ts';

export interface Running {
  readonly url: string;
  /** Resolves when the process has stopped serving. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export async function startEcoute(config: Config): Promise<Running> {
  const log = createLogger(config.log.level);
  const app = Fastify({ loggerInstance: log });
  app.get(
    '/health',
    { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } },
    () => ({
      status: 'ok',
    }),
  );
  const url = await app.listen({ host: config.http.host, port: config.http.port });
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const close = async (): Promise<void> => {
    await app.close();
    resolveClosed();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void close());
  return { url, closed, close };
}
