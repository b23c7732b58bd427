/** Test fixture: deterministic two-party call audio as the recorder spools it (interleaved stereo µ-law). */
import { encodeG711 } from '../../media/g711.ts';

export interface CallAudio {
  /** Channel 0 and 1 as PCM16 at 8 kHz, before µ-law. */
  readonly agent: Int16Array;
  readonly customer: Int16Array;
  /** Interleaved µ-law, channel 0 = agent: what the spool holds. */
  readonly law: Buffer;
}

/** Interleaves two channels (the shorter one padded with silence) into stereo µ-law. */
export function stereoLaw(agent: Int16Array, customer: Int16Array): Buffer {
  const n = Math.max(agent.length, customer.length);
  const pcm = new Int16Array(2 * n);
  for (let i = 0; i < n; i++) {
    pcm[2 * i] = agent[i] ?? 0;
    pcm[2 * i + 1] = customer[i] ?? 0;
  }
  const law = Buffer.alloc(2 * n);
  encodeG711('pcmu', pcm, law);
  return law;
}

/** Turns taking: the agent's 440 Hz tone in even seconds, the customer's 1000 Hz tone in odd ones. */
export function callAudio(seconds: number): CallAudio {
  const n = Math.round(seconds * 8000);
  const agent = new Int16Array(n);
  const customer = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const even = Math.floor(i / 8000) % 2 === 0;
    if (even) agent[i] = Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
    else customer[i] = Math.round(5000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
  }
  return { agent, customer, law: stereoLaw(agent, customer) };
}
