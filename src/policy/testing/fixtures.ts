/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are mutated freely by tests, one rule at a time */
/**
 * Builders for the policy engine's tests: a valid French policy file (the example) as a plain,
 * mutable object, and the facts of an ordinary call that every gate lets through.
 */
import type { CallFacts } from '../call-facts.ts';

/** A fresh copy each time: tests mutate it to break one rule. */
export function validFile(): Record<string, any> {
  return {
    jurisdiction: 'FR',
    organisation: {
      controller: {
        name: 'Mutuelle Exemple SA',
        address: '12 rue de la République, 69002 Lyon',
        contact: 'sc@mutuelle.example',
      },
      dpo: { name: 'Claire Dubois', contact: 'dpo@mutuelle.example' },
      staffConsultation: { date: '2026-10-02', reference: 'PV CSE n°12' },
      recipients: ['Superviseurs'],
      transfers: 'none',
    },
    notices: {
      employee: { version: 3, url: 'https://intranet.example/notice-v3' },
      caller: {
        version: 2,
        firstLevelText: {
          fr: 'Votre appel peut être enregistré pour améliorer notre service. Pour vous y opposer, tapez 9.',
          en: 'Your call may be recorded to improve our service. To object, press 9.',
        },
        fullNoticeUrl: 'https://mutuelle.example/enregistrement',
        objectionKey: '9',
        // Recording and retention announced: what a sector (MiFID) policy needs too (R-CAL-5).
        firstLevelItems: ['recording', 'purposes', 'controller', 'objection', 'retention'],
      },
    },
    policies: [qualityPolicy()],
  };
}

export function qualityPolicy(over: Record<string, unknown> = {}): Record<string, any> {
  return {
    id: 'qualite-2026-q4',
    purposes: ['quality'],
    legalBasis: 'legitimate_interest',
    legitimateInterest: 'Améliorer la qualité des réponses.',
    scope: { teams: ['support'], queues: [], directions: ['inbound', 'outbound'] },
    sampling: { rate: 0.05, maxPerAgentPerDay: 3 },
    campaign: { startsAt: '2026-11-01', endsAt: '2026-11-30' },
    liveListening: false,
    screenVideo: false,
    retention: { recordingDays: 30, analysisDays: 365 },
    necessity: 'Les réclamations sur la qualité des réponses ont doublé cette année.',
    alternativesConsidered: ['Enquêtes de satisfaction : trop peu de réponses.'],
    ...over,
  };
}

export function trainingPolicy(over: Record<string, unknown> = {}): Record<string, any> {
  return qualityPolicy({
    id: 'formation',
    purposes: ['training'],
    campaign: { startsAt: '2026-11-09', endsAt: '2026-11-27' },
    ...over,
  });
}

export function mifidPolicy(over: Record<string, unknown> = {}): Record<string, any> {
  return qualityPolicy({
    id: 'mifid',
    purposes: ['legal_obligation'],
    legalBasis: 'legal_obligation',
    legitimateInterest: undefined,
    legalReference: 'MIFID2_2017_565_ART76',
    attestation: 'Nous attestons que ces lignes relèvent de l’art. 76.',
    scope: { teams: ['trading'], queues: [], directions: [] },
    sampling: { rate: 1 },
    campaign: undefined,
    retention: { recordingDays: 1826, analysisDays: 365 },
    ...over,
  });
}

/** 2 November 2026, 10:15 in Paris: inside the example's campaign. */
export const T0 = Date.parse('2026-11-02T09:15:00Z');

export function call(over: Partial<CallFacts> = {}): CallFacts {
  return {
    callId: 'c-1',
    startedAt: T0,
    direction: 'inbound',
    queue: 'adherents',
    agentId: 'agent-42',
    team: 'support',
    noticePlayed: true,
    noticeVersion: 2,
    noticeEndedAt: T0 + 12_000,
    objectionSignalled: false,
    onOppositionList: false,
    personalCall: false,
    protectedLine: false,
    agentAcknowledgedNoticeVersion: 3,
    recordedTodayForAgent: {},
    trigger: undefined,
    ...over,
  };
}

/** A policy file or policy under construction in a test. */
export type Doc = Record<string, any>;
