/**
 * 16 kHz → 8 kHz for one channel: a windowed-sinc low-pass (cut-off 3.6 kHz, 31 taps, Hamming) then
 * keeping one sample in two. Without the filter, 4–8 kHz content would fold back into the band as
 * aliasing. Stateful across frames so that frame boundaries leave no clicks; odd frame lengths are fine.
 */
const TAPS = 31;
const CUTOFF = 3600 / 16000;

const KERNEL = (() => {
  const h = new Float64Array(TAPS);
  const mid = (TAPS - 1) / 2;
  let sum = 0;
  for (let n = 0; n < TAPS; n++) {
    const x = n - mid;
    const sinc = x === 0 ? 2 * CUTOFF : Math.sin(2 * Math.PI * CUTOFF * x) / (Math.PI * x);
    const w = 0.54 - 0.46 * Math.cos((2 * Math.PI * n) / (TAPS - 1));
    h[n] = sinc * w;
    sum += sinc * w;
  }
  for (let n = 0; n < TAPS; n++) h[n] = (h[n] as number) / sum;
  return h;
})();

export class Decimator2 {
  /** The last TAPS-1 input samples, oldest first, then the frame being filtered. */
  #history = new Float64Array(TAPS - 1);
  /** 0 or 1: whether the next input sample index is kept (phase survives odd frame lengths). */
  #phase = 0;

  process(input: Int16Array): Int16Array {
    const hist = TAPS - 1;
    const buf = new Float64Array(hist + input.length);
    buf.set(this.#history);
    for (let i = 0; i < input.length; i++) buf[hist + i] = input[i] as number;
    const count = Math.floor((input.length + 1 - this.#phase) / 2);
    const out = new Int16Array(count);
    for (let k = 0; k < count; k++) {
      const end = hist + this.#phase + 2 * k; // index of the newest input sample under the kernel
      let acc = 0;
      for (let j = 0; j < TAPS; j++) acc += (KERNEL[j] as number) * (buf[end - j] as number);
      out[k] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
    }
    this.#phase = (this.#phase + input.length) % 2;
    this.#history = buf.slice(buf.length - hist);
    return out;
  }
}

/** Splits interleaved samples into `channels` planes. */
export function deinterleave(interleaved: Int16Array, channels: number): Int16Array[] {
  const frames = Math.floor(interleaved.length / channels);
  const planes = Array.from({ length: channels }, () => new Int16Array(frames));
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) (planes[c] as Int16Array)[f] = interleaved[f * channels + c] as number;
  }
  return planes;
}
