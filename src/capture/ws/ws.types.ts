import type { Logger } from '../../log.ts';
import type { Clock } from '../../clock.ts';
import type { CaptureSink } from '../capture.port.ts';

/** The part of a WebSocket a protocol session drives (the `ws` WebSocket satisfies it). */
export interface SessionSocket {
  send(data: string): void;
  close(code: number, reason: string): void;
}

/** What every ingest session needs: the capture port, time, and a logger without personal data. */
export interface IngestDeps {
  readonly sink: CaptureSink;
  readonly clock: Clock;
  readonly log: Logger;
  /**
   * Interval of the server's WebSocket pings, ms (default 15 s). A peer that has not answered the
   * previous ping is terminated, so a client gone without a TCP close (network cut, NAT timeout) ends
   * its call as `vanished` instead of holding it open.
   */
  readonly heartbeatMs?: number;
}
