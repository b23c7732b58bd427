/**
 * Section J: jurisdiction profiles. France is the default and the strictest; a profile tightens or
 * loosens parameters (allowed purposes, sampling ceiling, retention caps, notice items), never the log.
 */
import type { FirstLevelItem, Jurisdiction, Purpose } from './policy.types.ts';

export interface JurisdictionProfile {
  readonly allowedPurposes: readonly Purpose[];
  /**
   * R-PUR-3: highest sampling rate for training/evaluation/quality, even with a justification. Kept well
   * below 1 so that "ponctuel" stays true: at 50 % the chance that 30 calls in a row are all recorded is
   * under one in a billion.
   */
  readonly samplingCeiling: number;
  /** BE: systematic quality recording of call-centre agents may be justified (rate 1 with a justification). */
  readonly systematicQualityAllowed: boolean;
  /** R-RET-1: cap for training/evaluation/quality/agent_incident recordings, days. */
  readonly shortRetentionMaxDays: number;
  /** R-RET-2: cap for analysis documents, days. */
  readonly analysisMaxDays: number;
  /** Cap for contract_proof recordings (limitation period of the contract), days. */
  readonly contractProofMaxDays: number;
  /** R-CAL-1: items the first-level caller message must cover. */
  readonly firstLevelItems: readonly FirstLevelItem[];
  /** R-EMP-1: staff-representative consultation is required before activation. */
  readonly staffConsultationRequired: boolean;
}

const ALL_PURPOSES: readonly Purpose[] = [
  'training',
  'evaluation',
  'quality',
  'contract_proof',
  'legal_obligation',
  'agent_incident',
];

const FR: JurisdictionProfile = {
  allowedPurposes: ALL_PURPOSES,
  samplingCeiling: 0.5,
  systematicQualityAllowed: false,
  shortRetentionMaxDays: 183,
  analysisMaxDays: 365,
  contractProofMaxDays: 1826,
  firstLevelItems: ['recording', 'purposes', 'controller', 'objection'],
  staffConsultationRequired: true,
};

export const PROFILES: Readonly<Record<Jurisdiction, JurisdictionProfile>> = {
  FR,
  // Belgium: purpose *and* retention must be announced before recording; systematic quality recording
  // of call-centre agents may be justified (APD/GBA guidance), so rate 1 is allowed with a justification.
  BE: {
    ...FR,
    systematicQualityAllowed: true,
    samplingCeiling: 1,
    firstLevelItems: ['recording', 'purposes', 'controller', 'objection', 'retention'],
  },
  // United Kingdom: callers must be informed; recording every call is not proportionate (ICO). Retention
  // caps are not set by the regulator: the French caps are kept as the safe side.
  UK: { ...FR },
};

export function profileOf(jurisdiction: Jurisdiction): JurisdictionProfile {
  return PROFILES[jurisdiction];
}
