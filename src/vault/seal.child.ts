/**
 * The sealing child process (started by seal.pool.ts with tsx): runs `encodeSpool` jobs one at a time and
 * answers each with its result or its error's code, message and context. Audio and keys never leave it
 * except as the encrypted `.sealing` file; the data key is wiped after each job.
 */
import { isEcouteError } from '../errors.ts';
import { encodeSpool } from './opus.encode.ts';
import type { SealReply, SealRequest } from './seal.pool.ts';

const send = (m: SealReply): void => void process.send?.(m);

async function handle(m: SealRequest): Promise<void> {
  try {
    send({ id: m.id, ok: true, result: await encodeSpool(m.job) });
  } catch (e) {
    send({
      id: m.id,
      ok: false,
      error: isEcouteError(e)
        ? { code: e.code, message: e.message, context: { ...e.context } }
        : { message: e instanceof Error ? e.message : String(e), context: {} },
    });
  } finally {
    m.job.dataKey.fill(0);
  }
}

process.on('message', (m: SealRequest) => void handle(m));
// The parent going away ends the child: nothing here is worth finishing without it.
process.on('disconnect', () => process.exit(0));
send({ id: 0, ok: true, ready: true });
