/**
 * Recording-session dialogs (RFC 3261 §12) as the UAS holds them: found by Call-ID and our To-tag,
 * remote CSeq checked (§12.2.2), and the SRS's own BYE built from the dialog state (§15).
 */
import { buildRequest, header, headerValues, parseCSeq, tagOf, type SipRequest } from './sip.message.ts';
import type { Endpoint } from './sip.transport.ts';

export type DialogState = 'early' | 'confirmed' | 'terminated';

export interface Dialog {
  /** Ecoute's handle for the dialog (our To-tag, random): given to the handler, never the Call-ID. */
  readonly id: string;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** The To header we answered with (our URI and tag): the From of our requests. */
  readonly localHeader: string;
  /** The SRC's From header: the To of our requests. */
  readonly remoteHeader: string;
  /** The SRC's Contact URI: the Request-URI of our requests. */
  readonly remoteTarget: string;
  readonly routeSet: readonly string[];
  /** Where the INVITE came from; in-dialog requests go back there (SBCs sit at their Contact). */
  remote: Endpoint;
  remoteCSeq: number;
  localCSeq: number;
  state: DialogState;
}

function contactUri(contact: string | undefined): string | undefined {
  if (!contact) return undefined;
  const m = /<([^>]+)>/.exec(contact);
  return (m?.[1] ?? contact.split(';')[0] ?? '').trim() || undefined;
}

export class DialogTable {
  readonly #byId = new Map<string, Dialog>();

  get size(): number {
    return this.#byId.size;
  }

  /** Creates the dialog an INVITE establishes (early until the 2xx is sent). */
  create(invite: SipRequest, from: Endpoint, localTag: string): Dialog {
    const to = header(invite, 'to') ?? '';
    const d: Dialog = {
      id: localTag,
      callId: header(invite, 'call-id') ?? '',
      localTag,
      remoteTag: tagOf(header(invite, 'from')) ?? '',
      localHeader: tagOf(to) ? to : `${to};tag=${localTag}`,
      remoteHeader: header(invite, 'from') ?? '',
      remoteTarget: contactUri(header(invite, 'contact')) ?? invite.uri,
      routeSet: headerValues(invite, 'record-route'),
      remote: from,
      remoteCSeq: parseCSeq(header(invite, 'cseq'))?.seq ?? 0,
      localCSeq: 0,
      state: 'early',
    };
    this.#byId.set(d.id, d);
    return d;
  }

  get(id: string): Dialog | undefined {
    return this.#byId.get(id);
  }

  /** The dialog of an in-dialog request or response: our tag in To (requests) and the same Call-ID. */
  forRequest(req: SipRequest): Dialog | undefined {
    const tag = tagOf(header(req, 'to'));
    const d = tag === undefined ? undefined : this.#byId.get(tag);
    return d && d.callId === header(req, 'call-id') ? d : undefined;
  }

  /**
   * RFC 3261 §12.2.2: a request with a CSeq lower than the last one is out of order (answer 500).
   * ACK and CANCEL reuse the INVITE's number and are not checked.
   */
  acceptCSeq(d: Dialog, req: SipRequest): boolean {
    if (req.method === 'ACK' || req.method === 'CANCEL') return true;
    const seq = parseCSeq(header(req, 'cseq'))?.seq ?? 0;
    if (seq <= d.remoteCSeq) return false;
    d.remoteCSeq = seq;
    return true;
  }

  remove(id: string): void {
    const d = this.#byId.get(id);
    if (d) d.state = 'terminated';
    this.#byId.delete(id);
  }

  all(): Dialog[] {
    return [...this.#byId.values()];
  }
}

/** The SRS's BYE for a dialog (RFC 3261 §15.1.1); `via` is our sent-by, `branch` a fresh z9hG4bK branch. */
export function buildBye(d: Dialog, via: string, branch: string): SipRequest {
  d.localCSeq = Math.max(d.localCSeq, 0) + 1;
  const headers: [string, string][] = [
    ['Via', `SIP/2.0/${d.remote.transport.toUpperCase()} ${via};branch=${branch};rport`],
    ['Max-Forwards', '70'],
    ['From', d.localHeader],
    ['To', d.remoteHeader],
    ['Call-ID', d.callId],
    ['CSeq', `${d.localCSeq} BYE`],
  ];
  // A UAS's route set is the Record-Route in received order (§12.1.1).
  for (const r of d.routeSet) headers.push(['Route', r]);
  headers.push(['Reason', 'SIP;cause=200;text="Recording ended by the SRS"']);
  return buildRequest('BYE', d.remoteTarget, headers);
}
