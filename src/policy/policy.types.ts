/**
 * The shape of a policy file (policies-as-code, issue 2). Field names follow the issue exactly; the
 * fields the rulebook needs on top are documented in docs/policies.md with the rule that constrains them.
 * Values arrive here only after `validate()` (schema + rules), so they can be trusted downstream.
 */
import type { Direction } from './call-facts.ts';

/** R-PUR-1: the closed list of purposes. Anything else is refused. */
export const PURPOSES = [
  'training',
  'evaluation',
  'quality',
  'contract_proof',
  'legal_obligation',
  'agent_incident',
] as const;
export type Purpose = (typeof PURPOSES)[number];

/** R-PUR-3: purposes that may never be permanent or systematic (sampled, capped or triggered only). */
export const SAMPLED_PURPOSES = ['training', 'evaluation', 'quality'] as const satisfies readonly Purpose[];

/** R-RET-1: purposes whose recordings live at most 6 months. */
export const SHORT_RETENTION_PURPOSES = [
  'training',
  'evaluation',
  'quality',
  'agent_incident',
] as const satisfies readonly Purpose[];

/** GDPR art. 6(1) legal bases. */
export const LEGAL_BASES = [
  'consent',
  'contract',
  'legal_obligation',
  'vital_interests',
  'public_task',
  'legitimate_interest',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** Section J: jurisdiction profiles; FR is the default. */
export const JURISDICTIONS = ['FR', 'BE', 'UK'] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

/** R-PUR-6 / R-PUR-7: how a triggered policy starts recording. */
export const TRIGGERS = ['manual', 'agent_button', 'business_event'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** Roles of the security model (DESIGN.md); used by `downloadRoles` (R-SEC-5). */
export const ROLES = ['admin', 'dpo', 'supervisor', 'evaluator', 'trainer', 'agent', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** R-CAL-1 / section J: what the first-level caller message declares it says. */
export const FIRST_LEVEL_ITEMS = ['recording', 'purposes', 'controller', 'objection', 'retention'] as const;
export type FirstLevelItem = (typeof FIRST_LEVEL_ITEMS)[number];

export interface Bilingual {
  readonly fr: string;
  readonly en: string;
}

export type StaffConsultation =
  { readonly date: string; readonly reference: string } | { readonly none: true; readonly reason: string };

export interface Organisation {
  readonly controller: { readonly name: string; readonly address: string; readonly contact: string };
  readonly dpo: { readonly name: string; readonly contact: string };
  /** R-EMP-1: CSE consultation (date, minutes reference) or a declaration that there is none. */
  readonly staffConsultation?: StaffConsultation;
  /** R-CAL-3: recipients of the recordings, for the full notice. */
  readonly recipients?: readonly string[];
  /** R-CAL-3: transfers outside the EU ("none" when there are none). */
  readonly transfers?: string;
  /** R-PUR-5: longest campaign the DPO allows, days. Default 31. */
  readonly maxCampaignDays: number;
  /** IANA zone in which campaign dates and per-day caps are read. Default Europe/Paris. */
  readonly timeZone: string;
}

export interface EmployeeNotice {
  /** R-EMP-2: agents must have acknowledged exactly this version. */
  readonly version: number;
  readonly url: string;
}

export interface CallerNotice {
  /** R-CAL-1: stored with each call; a call heard with an older version is not recorded. */
  readonly version: number;
  readonly firstLevelText: Bilingual;
  /** R-CAL-3: where the second-level (full) notice is published. */
  readonly fullNoticeUrl: string;
  /** R-CAL-1 / R-CAL-2: the DTMF key by which the caller objects. */
  readonly objectionKey: string;
  /** Section J: items the first-level message covers. Default: recording, purposes, controller, objection. */
  readonly firstLevelItems: readonly FirstLevelItem[];
}

export interface Policy {
  readonly id: string;
  /** Incremented on every change; stored with each decision. Default 1. */
  readonly version: number;
  readonly purposes: readonly Purpose[];
  readonly legalBasis: LegalBasis;
  /** R-CAL-3: the legitimate interest pursued, when the basis is legitimate_interest. */
  readonly legitimateInterest?: string;
  /** Empty list = no restriction on that axis. */
  readonly scope: {
    readonly teams: readonly string[];
    readonly queues: readonly string[];
    readonly directions: readonly Direction[];
  };
  /** R-PUR-3 / R-PUR-4: share of calls drawn in [0,1]; cap of recordings per agent and day. */
  readonly sampling: { readonly rate: number; readonly maxPerAgentPerDay?: number };
  /** R-PUR-3: written justification when the rate is not the 5 % default. */
  readonly samplingJustification?: string;
  /** R-PUR-5: campaign dates (YYYY-MM-DD, inclusive, in organisation.timeZone, or ISO instants). */
  readonly campaign?: { readonly startsAt: string; readonly endsAt: string };
  /** R-EMP-6: supervisors may listen live to the calls this policy selects. */
  readonly liveListening: boolean;
  /** R-SCR-1: screen video of the business application, only for training. */
  readonly screenVideo: boolean;
  /** R-SCR-1: name of the business application window the screen video is limited to. */
  readonly screenVideoApplication?: string;
  /** R-SCR-1: screenshots coupled with recordings; always refused when true. */
  readonly screenshots: boolean;
  /** R-SCR-2: camera / audiovisual recording of agents; always refused when true. */
  readonly cameraRecording: boolean;
  /** R-RET-1..3, R-RET-5: days from collection. */
  readonly retention: {
    readonly recordingDays: number;
    readonly analysisDays: number;
  };
  /** R-RET-5: delete the audio N days after the call, keep only the analysis documents. */
  readonly reviewWindowDays?: number;
  /** R-PUR-8: why recording is necessary. */
  readonly necessity: string;
  /** R-PUR-8: alternatives considered and why they were not enough. */
  readonly alternativesConsidered: readonly string[];
  /** R-PUR-2: reference from LEGAL_REFERENCES, for legal_obligation. */
  readonly legalReference?: LegalReferenceId;
  /** R-PUR-2: attestation text signed by the controller, for legal_obligation. */
  readonly attestation?: string;
  /** R-PUR-6 / R-PUR-7: trigger for agent_incident (agent_button) and contract_proof (manual, business_event). */
  readonly trigger?: Trigger;
  /** R-PUR-7: attestations for contract_proof. */
  readonly contractProof?: {
    readonly oralContractAllowed: boolean;
    readonly noOtherProof: boolean;
    readonly canvassing: boolean;
  };
  /** R-DOC-2: DPIA reference, when the pre-check says one is needed. */
  readonly dpiaReference?: string;
  /** R-EMP-7: agents may listen to their own recordings. Default false. */
  readonly agentsMayListenToOwn: boolean;
  /** R-SEC-5: roles allowed to download; downloads are off by default ([]). */
  readonly downloadRoles: readonly Role[];
}

export interface PolicyFile {
  readonly jurisdiction: Jurisdiction;
  readonly organisation: Organisation;
  readonly notices: { readonly employee: EmployeeNotice; readonly caller: CallerNotice };
  readonly policies: readonly Policy[];
}

/** R-PUR-2: the maintained catalogue of legal references, with their sector retention range (R-RET-3). */
export const LEGAL_REFERENCES = {
  MIFID2_2017_565_ART76: {
    label: {
      fr: 'MiFID II, règlement délégué (UE) 2017/565, art. 76',
      en: 'MiFID II, Delegated Regulation (EU) 2017/565, art. 76',
    },
    /** 5 years, 7 on the authority's request. */
    minRecordingDays: 1826,
    maxRecordingDays: 2557,
  },
  AMF_RG_312_39: {
    label: { fr: 'Règlement général de l’AMF, art. 312-39', en: 'AMF General Regulation, art. 312-39' },
    /** Asset managers: between 6 months and 5 years. */
    minRecordingDays: 183,
    maxRecordingDays: 1826,
  },
  CODE_ASSURANCES_L112_2_2: {
    label: {
      fr: 'Code des assurances, art. L112-2-2 et R112-7',
      en: 'French Insurance Code, art. L112-2-2 and R112-7',
    },
    /** Insurance canvassing: 2 years from signature. */
    minRecordingDays: 730,
    maxRecordingDays: 730,
  },
  EMERGENCY_SERVICES: {
    label: {
      fr: 'Services d’urgence (obligation de traçabilité)',
      en: 'Emergency services (traceability duty)',
    },
    minRecordingDays: 1,
    maxRecordingDays: 365,
  },
} as const;
export type LegalReferenceId = keyof typeof LEGAL_REFERENCES;
export const LEGAL_REFERENCE_IDS = Object.keys(LEGAL_REFERENCES) as LegalReferenceId[];

/** R-PUR-3: the product's default sampling rate. */
export const DEFAULT_SAMPLING_RATE = 0.05;
