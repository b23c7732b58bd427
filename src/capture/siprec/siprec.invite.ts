/**
 * Reads the bodies of a SIPREC INVITE / re-INVITE / UPDATE (RFC 7866 §8): the SDP offer and the
 * recording metadata, whatever the part order, plus whether the request announces itself as SIPREC.
 * Lenient by design (PROTOCOLS.md B.1.4): only a missing or broken SDP makes an INVITE unrecordable;
 * broken metadata is reported and the call is recorded without it. Pure.
 */
import { fail, isEcouteError } from '../../errors.ts';
import { SipErrors } from './errors.ts';
import { header, headerParams, headerValues, type SipRequest } from './sip.message.ts';
import { mediaType, parseMultipart, type MimePart } from './multipart.parser.ts';
import { parseSdp, type SdpSession } from './sdp.parser.ts';
import { parseRsMetadata, type RsMetadata } from './metadata.parser.ts';

export interface SiprecSignals {
  /** `Require: siprec` (or `Supported` only, which some SRCs send). */
  readonly require: boolean;
  /** Contact carries the `+sip.src` feature tag (outside the <>). */
  readonly srcContact: boolean;
}

export interface SiprecBody {
  readonly sdp: SdpSession | undefined;
  readonly metadata: RsMetadata | undefined;
  /** Why the metadata part was ignored (code of the typed error), if it was. */
  readonly metadataError: string | undefined;
  readonly signals: SiprecSignals;
}

const METADATA_TYPES = new Set(['application/rs-metadata+xml', 'application/rs-metadata']);

/** pjsip's test is Require ∋ siprec AND Contact has +sip.src; Ecoute accepts either and records which. */
export function siprecSignals(req: SipRequest): SiprecSignals {
  const tags = headerValues(req, 'require').map((v) => v.toLowerCase());
  const contact = header(req, 'contact');
  return {
    require: tags.includes('siprec'),
    srcContact: contact !== undefined && headerParams(contact).has('+sip.src'),
  };
}

function parts(req: SipRequest): MimePart[] {
  const ct = header(req, 'content-type');
  if (req.body.length === 0) return [];
  if (mediaType(ct) === 'multipart/mixed' || mediaType(ct) === 'multipart/related')
    return parseMultipart(req.body, ct ?? '');
  return [
    {
      type: mediaType(ct) || 'application/sdp',
      contentType: ct,
      disposition: undefined,
      headers: {},
      body: req.body,
    },
  ];
}

/** Extracts SDP and metadata. Throws SDP_MALFORMED or MULTIPART_MALFORMED; never for bad metadata. */
export function readSiprecBody(req: SipRequest): SiprecBody {
  const all = parts(req);
  const sdpPart = all.find((p) => p.type === 'application/sdp');
  const metaPart =
    all.find((p) => METADATA_TYPES.has(p.type)) ?? all.find((p) => p.disposition === 'recording-session');
  let metadata: RsMetadata | undefined;
  let metadataError: string | undefined;
  if (metaPart) {
    try {
      metadata = parseRsMetadata(metaPart.body);
    } catch (e) {
      if (!isEcouteError(e)) throw e;
      metadataError = e.code;
    }
  }
  return {
    sdp: sdpPart ? parseSdp(sdpPart.body) : undefined,
    metadata,
    metadataError,
    signals: siprecSignals(req),
  };
}

/** As readSiprecBody, for an initial INVITE: an offer is required (RFC 7866 §6.1: no offerless INVITE here). */
export function readSiprecOffer(req: SipRequest): SiprecBody & { readonly sdp: SdpSession } {
  const body = readSiprecBody(req);
  if (!body.sdp) throw fail(SipErrors.NOT_SIPREC, 'INVITE without an SDP offer', { reason: 'no SDP offer' });
  return { ...body, sdp: body.sdp };
}
