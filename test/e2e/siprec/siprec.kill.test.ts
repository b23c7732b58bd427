/**
 * The crash-safety promise end to end (issue 4, "Faults"): a real `ecoute serve` process records a sipp
 * SIPREC call, is killed with SIGKILL mid-call, and on restart seals what its spool held into the vault as
 * an `interrupted` recording (R-SEC-4: still encrypted under its own key), losing at most the chunk being
 * filled (`vault.chunkMs`, 1 s by default).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, watch, writeFileSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../../src/clock.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { openDatabase } from '../../../src/db/index.ts';
import { silentLogger } from '../../../src/log.ts';
import { sine } from '../../../src/media/tones.ts';
import { MAX_HEADER_BYTES, TAG_BYTES, decodeHeader } from '../../../src/vault/container.ts';
import { createVault } from '../../../src/vault/vault.factory.ts';
import { readChannels, toneShare } from '../../support/audio.ts';
import { tempDir } from '../../support/tmp.ts';
import { runCli, startServe } from './serve.child.ts';
import { SIPP, freePort, sippSkip, twoPartyPcap } from './sipp.ts';
import { TRUNKS_YAML } from './stack.ts';

const skip = sippSkip();
const POLICY = fileURLToPath(new URL('../../../examples/policies/mifid-fr.yaml', import.meta.url));
const SCENARIO = fileURLToPath(new URL('../sipp/siprec_pcap.xml', import.meta.url));
const AGENT_HZ = 440;
const CUSTOMER_HZ = 1000;
const CALL_MS = 8000;
/** Chunks the spool must hold before the kill: about 3 s of audio at the default 1 s chunk. */
const CHUNKS_BEFORE_KILL = 3;
const BYTES_PER_SECOND = 16000; // pcmu/8000/2

/** Informed agent a1 of the MiFID trading desk (mifid-fr.yaml records all of its `ordres` calls). */
async function prepareStore(dataDir: string): Promise<void> {
  const db = await openDatabase({ sqliteFile: join(dataDir, 'ecoute.sqlite') });
  try {
    await db.agents.upsertTeam('table-negociation', 'Table de négociation');
    await db.agents.upsert({
      id: 'a1',
      displayName: 'Agent Démo',
      teamId: 'table-negociation',
      extension: '1001',
      sipAor: 'sip:1001@pbx.example',
    });
    await db.agents.ack('a1', 3);
  } finally {
    await db.close();
  }
}

/** sipp as the SRC of one long call to `port` over UDP, left running until the test kills it. */
async function startSipp(port: number, dir: string): Promise<ChildProcess> {
  writeFileSync(
    join(dir, 'audio.pcap'),
    twoPartyPcap(sine(CUSTOMER_HZ, CALL_MS, 8000), sine(AGENT_HZ, CALL_MS, 8000)),
  );
  const noticeEndedAt = new Date(Date.now() - 1000).toISOString();
  writeFileSync(join(dir, 'fields.csv'), `SEQUENTIAL\n1001;${noticeEndedAt};ordres;1002;\n`);
  const args = [
    `127.0.0.1:${port}`,
    ...['-sf', SCENARIO, '-inf', 'fields.csv', '-m', '1', '-t', 'u1', '-d', String(CALL_MS)],
    ...['-i', '127.0.0.1', '-p', String(await freePort()), '-mp', String(await freePort({ pair: true }))],
    ...['-nostdin', '-timeout', '30s', '-timeout_error'],
  ];
  return spawn(SIPP, args, { cwd: dir, stdio: 'ignore' });
}

interface SpoolState {
  readonly path: string;
  /** Date.now() when the test first saw the file: the recording had started by then. */
  readonly seenAt: number;
  readonly headerBytes: number;
  readonly chunkBytes: number;
}

/** Reads a spool's container header; undefined while it is still being written. */
async function spoolHeader(
  path: string,
  recordingId: string,
  seenAt: number,
): Promise<SpoolState | undefined> {
  const f = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await f.read(Buffer.alloc(MAX_HEADER_BYTES), 0, MAX_HEADER_BYTES, 0);
    const h = decodeHeader(buffer.subarray(0, bytesRead), recordingId);
    return { path, seenAt, headerBytes: h.length, chunkBytes: h.header.chunkBytes };
  } catch {
    return undefined;
  }
}

/** Whole sealed chunks a spool of `size` bytes holds. */
const chunksIn = (s: SpoolState, size: number): number =>
  Math.floor((size - s.headerBytes) / (s.chunkBytes + TAG_BYTES));

/** Resolves, on filesystem events (no polling timer), once a spool in `dir` holds `chunks` sealed chunks. */
function spoolHolding(dir: string, chunks: number): Promise<SpoolState> {
  return new Promise((resolve, reject) => {
    let busy = false;
    let again = false;
    const seen = new Map<string, number>();
    const watcher = watch(dir);
    const check = async (): Promise<void> => {
      if (busy) return void (again = true);
      busy = true;
      try {
        for (const name of (await readdir(dir)).filter((n) => n.endsWith('.spool'))) {
          const path = join(dir, name);
          if (!seen.has(name)) seen.set(name, Date.now());
          const s = await spoolHeader(path, name.slice(0, -'.spool'.length), seen.get(name) ?? 0);
          if (s && chunksIn(s, (await stat(path)).size) >= chunks) {
            watcher.close();
            return resolve(s);
          }
        }
      } finally {
        busy = false;
      }
      if (again) {
        again = false;
        await check();
      }
    };
    const run = (): void => void check().catch(reject);
    watcher.on('change', run);
    watcher.on('error', reject);
    run();
  });
}

async function killAndWait(child: { pid?: number | undefined }, exited: Promise<unknown>): Promise<void> {
  try {
    if (child.pid) process.kill(child.pid, 'SIGKILL');
  } catch {
    // ESRCH: it exited on its own in the meantime.
  }
  await exited;
}

test(
  'R-SEC-4: kill -9 mid-call: the spool is recovered on restart, at most one chunk lost (interrupted, sealed, verified)',
  { skip, timeout: 90_000 },
  async (t) => {
    const tmp = tempDir('ecoute-siprec-kill-');
    const sippDir = tempDir('ecoute-sipp-kill-');
    const dataDir = join(tmp.path, 'data');
    const spoolDir = join(dataDir, 'spool');
    mkdirSync(spoolDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(tmp.path, 'trunks.yaml'), TRUNKS_YAML);
    const portMin = 40000 + 2 * Math.floor(Math.random() * 5000);
    const sipPort = await freePort();
    const env = {
      ECOUTE_DATA_DIR: dataDir,
      ECOUTE_HTTP_HOST: '127.0.0.1',
      ECOUTE_HTTP_PORT: String(await freePort()),
      ECOUTE_SIP_HOST: '127.0.0.1',
      ECOUTE_SIP_PORT: String(sipPort),
      ECOUTE_SIP_TRANSPORTS: 'udp,tcp',
      ECOUTE_RTP_PORT_MIN: String(portMin),
      ECOUTE_RTP_PORT_MAX: String(portMin + 200),
      ECOUTE_POLICY_FILE: POLICY,
      ECOUTE_SIP_TRUNKS_FILE: join(tmp.path, 'trunks.yaml'),
      ECOUTE_LOG_LEVEL: 'info',
    };
    // Whatever is still running when an assertion fails is killed, so no child outlives the test.
    const running = new Set<{ pid?: number | undefined; exited: Promise<unknown> }>();
    const track = <C extends { pid?: number | undefined }>(c: C, exited: Promise<unknown>): C => {
      const entry = { pid: c.pid, exited };
      running.add(entry);
      void exited.then(() => running.delete(entry));
      return c;
    };
    t.after(async () => {
      for (const c of running) await killAndWait(c, c.exited);
      sippDir.remove();
      tmp.remove();
    });
    await prepareStore(dataDir);

    // 1. The server records a call; once its spool holds 3 sealed chunks it is killed without warning.
    const first = await startServe(env);
    track(first, first.exited);
    const holding = spoolHolding(spoolDir, CHUNKS_BEFORE_KILL);
    const sipp = await startSipp(sipPort, sippDir.path);
    const sippExited = once(sipp, 'exit');
    track(sipp, sippExited);
    const spool = await Promise.race([
      holding,
      sippExited.then(() => assert.fail(`sipp ended before the spool filled:\n${first.output()}`)),
    ]);
    const killedAt = Date.now();
    await killAndWait(first, first.exited);
    assert.equal((await first.exited).signal, 'SIGKILL');
    const bytesAtKill = (await stat(spool.path)).size;
    const chunksAtKill = chunksIn(spool, bytesAtKill);
    const secondsAtKill = (chunksAtKill * spool.chunkBytes) / BYTES_PER_SECOND;
    // The SRC would retransmit its BYE into nothing: it goes too.
    await killAndWait(sipp, sippExited);

    // 2. The restarted server recovers the spool before it says it listens.
    const second = await startServe(env);
    track(second, second.exited);
    assert.match(second.output(), /spools recovered after an interruption/);
    assert.deepEqual(
      (await readdir(spoolDir)).filter((n) => n.endsWith('.spool')),
      [],
      'no spool left',
    );

    const config = loadConfig({ env });
    const db = await openDatabase({ sqliteFile: join(dataDir, 'ecoute.sqlite') });
    try {
      assert.deepEqual(await db.recordings.countByState(), { interrupted: 1 });
      const [rec] = (await db.recordings.search({})).items;
      assert.ok(rec?.blobKey && rec.sha256, 'sealed into the vault with its checksum');
      assert.equal(rec.expiresAt, rec.startedAt + 1826 * 86_400_000, 'the MiFID retention still applies');

      // 3. The real `vault verify` authenticates every chunk and the checksum (R-SEC-4).
      const verify = await runCli(['vault', 'verify', rec.id, '--json'], env);
      assert.equal(verify.code, 0, verify.out);
      assert.deepEqual((JSON.parse(verify.out) as { ok: string[] }).ok, [rec.id], verify.out);

      // 4. The audio: both parties on their channels, nothing durable lost.
      const vault = await createVault(config, {
        keyStore: db.dataKeys,
        clock: systemClock,
        log: silentLogger,
      });
      const ch = await readChannels(vault, rec.id);
      t.diagnostic(
        `spool at kill: ${bytesAtKill} bytes, ${chunksAtKill} chunks (${secondsAtKill} s); recovered ${ch.seconds} s, durationMs ${rec.durationMs}; spool seen ${(killedAt - spool.seenAt) / 1000} s before the kill`,
      );
      assert.ok(ch.seconds >= secondsAtKill, `recovered ${ch.seconds} s < ${secondsAtKill} s the spool held`);
      // Against the wall clock: the call had been recording for at most `elapsed` when it was killed; all
      // but the chunk being filled (plus the jitter buffer and the write in flight) must be on the recording.
      const elapsed = (killedAt - spool.seenAt) / 1000;
      const chunkSeconds = spool.chunkBytes / BYTES_PER_SECOND;
      assert.ok(
        ch.seconds >= elapsed - chunkSeconds - 0.5,
        `recorded ${elapsed} s before the kill, recovered ${ch.seconds} s`,
      );
      assert.ok(Math.abs((rec.durationMs ?? 0) - ch.seconds * 1000) <= 1, `durationMs ${rec.durationMs}`);
      const end = ch.seconds * 1000 - 200;
      assert.ok(toneShare(ch.agent, AGENT_HZ, 300, end) > 0.9, 'agent channel holds the agent tone');
      assert.ok(toneShare(ch.customer, CUSTOMER_HZ, 300, end) > 0.9, 'customer channel holds the customer');
      assert.ok(toneShare(ch.agent, CUSTOMER_HZ, 300, end) < 0.01, 'no customer in the agent channel');
    } finally {
      await db.close();
    }

    // 5. A clean stop after the recovery.
    process.kill(second.pid, 'SIGTERM');
    const stopped = await second.exited;
    assert.equal(stopped.code, 0, second.output());
  },
);
