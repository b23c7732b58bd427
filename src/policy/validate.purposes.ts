/** Section A of the rulebook: purposes and proportionality of a recording policy (R-PUR-1..8). */
import { campaignDays, campaignWindow } from './campaign.ts';
import type { JurisdictionProfile } from './jurisdictions.ts';
import {
  DEFAULT_SAMPLING_RATE,
  SAMPLED_PURPOSES,
  type Organisation,
  type Policy,
  type Purpose,
} from './policy.types.ts';
import { at, violation, type Violation } from './violation.ts';

/** R-PUR-1: purposes the CNIL names as forbidden, with the reason given back to the author. */
const FORBIDDEN_PURPOSES: Readonly<Record<string, { fr: string; en: string }>> = {
  incivilites: {
    fr: 'lutter contre les incivilités en enregistrant tous les appels est interdit ; seul le bouton de l’agent est admis (agent_incident)',
    en: 'fighting incivilities by recording all calls is forbidden; only the agent’s button is allowed (agent_incident)',
  },
  discipline: {
    fr: 'l’enregistrement à des fins disciplinaires est interdit',
    en: 'recording for disciplinary purposes is forbidden',
  },
  internal_fraud: {
    fr: 'la lutte contre la fraude interne n’est pas une finalité admise',
    en: 'fighting internal fraud is not an allowed purpose',
  },
  judicial_requisitions: {
    fr: 'collecter des appels par avance pour d’éventuelles réquisitions judiciaires est interdit',
    en: 'collecting calls in advance for possible judicial requisitions is forbidden',
  },
};
const ALIASES: Readonly<Record<string, string>> = {
  incivilities: 'incivilites',
  incivilité: 'incivilites',
  incivilités: 'incivilites',
  fraude_interne: 'internal_fraud',
  fraud: 'internal_fraud',
  requisitions: 'judicial_requisitions',
  réquisitions: 'judicial_requisitions',
  disciplinary: 'discipline',
};

/** R-PUR-1 message for a purpose outside the closed list (also used for schema enum errors). */
export function unknownPurposeViolation(path: string, value: unknown): Violation {
  const key = String(value).toLowerCase();
  const named = FORBIDDEN_PURPOSES[ALIASES[key] ?? key];
  const list = 'training, evaluation, quality, contract_proof, legal_obligation, agent_incident';
  return violation(
    'R-PUR-1',
    path,
    `finalité « ${String(value)} » refusée${named ? ` : ${named.fr}` : ''} ; finalités admises : ${list}`,
    `purpose "${String(value)}" refused${named ? `: ${named.en}` : ''}; allowed purposes: ${list}`,
  );
}

const isSampled = (p: Purpose): boolean => (SAMPLED_PURPOSES as readonly Purpose[]).includes(p);

export function checkPurposes(
  p: Policy,
  base: string,
  org: Organisation,
  profile: JurisdictionProfile,
): Violation[] {
  const out: Violation[] = [];
  const has = (x: Purpose): boolean => p.purposes.includes(x);
  p.purposes.forEach((purpose, i) => {
    if (!profile.allowedPurposes.includes(purpose))
      out.push(
        violation(
          'R-PUR-1',
          at(at(base, 'purposes'), i),
          `finalité « ${purpose} » non admise dans cette juridiction`,
          `purpose "${purpose}" is not allowed in this jurisdiction`,
        ),
      );
  });
  out.push(...checkLegalBasis(p, base));
  out.push(...checkLegalObligation(p, base, has('legal_obligation')));
  out.push(...checkSampling(p, base, profile));
  out.push(...checkCampaign(p, base, org));
  out.push(...checkTriggers(p, base));
  out.push(...checkNecessity(p, base));
  return out;
}

/** R-PUR-1: the legal basis must fit the purposes (employees' consent is not free; a legal duty is one). */
function checkLegalBasis(p: Policy, base: string): Violation[] {
  const path = at(base, 'legalBasis');
  if (p.purposes.includes('legal_obligation') && p.legalBasis !== 'legal_obligation')
    return [
      violation(
        'R-PUR-2',
        path,
        'une finalité legal_obligation exige la base légale legal_obligation',
        'a legal_obligation purpose needs the legal_obligation legal basis',
      ),
    ];
  if (p.purposes.some(isSampled) && p.legalBasis !== 'legitimate_interest')
    return [
      violation(
        'R-PUR-1',
        path,
        'formation, évaluation et qualité reposent sur l’intérêt légitime (le consentement des salariés n’est pas libre)',
        'training, evaluation and quality rest on legitimate interest (employees’ consent is not freely given)',
      ),
    ];
  return [];
}

/** R-PUR-2: legal_obligation needs a catalogued legal reference and an attestation, and nothing else may claim one. */
function checkLegalObligation(p: Policy, base: string, isLegal: boolean): Violation[] {
  const out: Violation[] = [];
  if (isLegal && p.legalReference === undefined)
    out.push(
      violation(
        'R-PUR-2',
        at(base, 'legalReference'),
        'legal_obligation exige une référence légale du catalogue (MIFID2_2017_565_ART76, AMF_RG_312_39, CODE_ASSURANCES_L112_2_2, EMERGENCY_SERVICES)',
        'legal_obligation needs a legal reference from the catalogue (MIFID2_2017_565_ART76, AMF_RG_312_39, CODE_ASSURANCES_L112_2_2, EMERGENCY_SERVICES)',
      ),
    );
  if (isLegal && !p.attestation?.trim())
    out.push(
      violation(
        'R-PUR-2',
        at(base, 'attestation'),
        'legal_obligation exige une attestation du responsable de traitement',
        'legal_obligation needs an attestation from the controller',
      ),
    );
  if (!isLegal && p.legalReference !== undefined)
    out.push(
      violation(
        'R-PUR-2',
        at(base, 'legalReference'),
        'une référence légale n’a de sens que pour la finalité legal_obligation',
        'a legal reference only applies to the legal_obligation purpose',
      ),
    );
  return out;
}

/** R-PUR-3 (and R-EMP-6 for live listening): never permanent or systematic; a justified rate under the ceiling. */
function checkSampling(p: Policy, base: string, profile: JurisdictionProfile): Violation[] {
  const out: Violation[] = [];
  const rate = p.sampling.rate;
  const path = at(at(base, 'sampling'), 'rate');
  const sampled = p.purposes.some(isSampled) || p.purposes.includes('agent_incident');
  const systematicOk = profile.systematicQualityAllowed && p.purposes.every((x) => x === 'quality');
  if (sampled && rate >= 1 && !systematicOk) {
    const what = p.liveListening
      ? { fr: 'enregistrer ou écouter en direct', en: 'record or live-listen to' }
      : { fr: 'enregistrer', en: 'record' };
    out.push(
      violation(
        'R-PUR-3',
        path,
        `${what.fr} 100 % des appels est un dispositif permanent et systématique, interdit (sanctions KG COM 2023, COSMOSPACE 2024) ; tirez un échantillon (5 % par défaut)`,
        `to ${what.en} 100 % of calls is permanent and systematic, which is forbidden (KG COM 2023, COSMOSPACE 2024 sanctions); draw a sample (5 % by default)`,
      ),
    );
  } else if (sampled && rate > profile.samplingCeiling && !systematicOk) {
    out.push(
      violation(
        'R-PUR-3',
        path,
        `taux ${rate} au-dessus du plafond de ${profile.samplingCeiling} de cette juridiction`,
        `rate ${rate} is above this jurisdiction’s ceiling of ${profile.samplingCeiling}`,
      ),
    );
  }
  if (p.purposes.some(isSampled) && rate !== DEFAULT_SAMPLING_RATE && !p.samplingJustification?.trim())
    out.push(
      violation(
        'R-PUR-3',
        at(base, 'samplingJustification'),
        `un taux différent de 5 % (${rate}) exige une justification écrite du DPO`,
        `a rate other than 5 % (${rate}) needs a written justification from the DPO`,
      ),
    );
  if (systematicOk && rate >= 1 && !p.samplingJustification?.trim())
    out.push(
      violation(
        'R-PUR-3',
        at(base, 'samplingJustification'),
        'l’enregistrement systématique des agents de centre d’appels doit être justifié',
        'systematic recording of call-centre agents must be justified',
      ),
    );
  return out;
}

/** R-PUR-5: training and evaluation are time-boxed campaigns no longer than the DPO's maximum. */
function checkCampaign(p: Policy, base: string, org: Organisation): Violation[] {
  const needs = p.purposes.includes('training') || p.purposes.includes('evaluation');
  const path = at(base, 'campaign');
  if (!p.campaign)
    return needs
      ? [
          violation(
            'R-PUR-5',
            path,
            'formation et évaluation sont des campagnes limitées dans le temps : startsAt et endsAt sont obligatoires',
            'training and evaluation are time-boxed campaigns: startsAt and endsAt are required',
          ),
        ]
      : [];
  const w = campaignWindow(p.campaign, org.timeZone);
  if (!Number.isFinite(w.start) || !Number.isFinite(w.end))
    return [violation('R-PUR-5', path, 'dates de campagne illisibles', 'unreadable campaign dates')];
  if (w.end <= w.start)
    return [
      violation(
        'R-PUR-5',
        at(path, 'endsAt'),
        'la campagne se termine avant de commencer',
        'the campaign ends before it starts',
      ),
    ];
  const length = campaignDays(w);
  if (needs && length > org.maxCampaignDays)
    return [
      violation(
        'R-PUR-5',
        at(path, 'endsAt'),
        `campagne de ${length} jours, au-delà du maximum de ${org.maxCampaignDays} jours fixé par le DPO`,
        `campaign of ${length} days, beyond the DPO’s maximum of ${org.maxCampaignDays} days`,
      ),
    ];
  return [];
}

/** R-PUR-6 (agent button only for incidents) and R-PUR-7 (contract proof: manual or business event, attested). */
function checkTriggers(p: Policy, base: string): Violation[] {
  const out: Violation[] = [];
  const path = at(base, 'trigger');
  const incident = p.purposes.includes('agent_incident');
  const contract = p.purposes.includes('contract_proof');
  if (incident) {
    if (p.purposes.length > 1)
      out.push(
        violation(
          'R-PUR-6',
          at(base, 'purposes'),
          'agent_incident ne se combine avec aucune autre finalité',
          'agent_incident cannot be combined with another purpose',
        ),
      );
    if (p.trigger !== undefined && p.trigger !== 'agent_button')
      out.push(
        violation(
          'R-PUR-6',
          path,
          'incivilités : seul le bouton pressé par l’agent est admis (ni superviseur, ni déclenchement automatique)',
          'incivility: only the button pressed by the agent is allowed (no supervisor, no automatic trigger)',
        ),
      );
  }
  if (contract) {
    if (p.trigger !== 'manual' && p.trigger !== 'business_event')
      out.push(
        violation(
          'R-PUR-7',
          path,
          'preuve du contrat : déclenchement manuel ou par événement métier uniquement (trigger: manual | business_event)',
          'contract proof: manual or business-event trigger only (trigger: manual | business_event)',
        ),
      );
    const cp = p.contractProof;
    const cpPath = at(base, 'contractProof');
    if (!cp || !cp.oralContractAllowed || !cp.noOtherProof)
      out.push(
        violation(
          'R-PUR-7',
          cpPath,
          'attestez que le contrat peut être conclu oralement et qu’aucune autre preuve n’existe',
          'attest that the contract may be concluded orally and that no other proof exists',
        ),
      );
    if (cp?.canvassing)
      out.push(
        violation(
          'R-PUR-7',
          at(cpPath, 'canvassing'),
          'preuve du contrat refusée pour la prospection téléphonique (Code de la consommation L221-16)',
          'contract proof is refused for telephone canvassing (Consumer Code L221-16)',
        ),
      );
  }
  if (!incident && !contract && p.trigger !== undefined)
    out.push(
      violation(
        'R-PUR-6',
        path,
        'un déclencheur n’est admis que pour agent_incident ou contract_proof',
        'a trigger is only allowed for agent_incident or contract_proof',
      ),
    );
  return out;
}

/** R-PUR-8: proportionality evidence. */
function checkNecessity(p: Policy, base: string): Violation[] {
  const out: Violation[] = [];
  if (p.necessity.trim().length < 20)
    out.push(
      violation(
        'R-PUR-8',
        at(base, 'necessity'),
        'expliquez pourquoi l’enregistrement est nécessaire (au moins une phrase)',
        'explain why recording is necessary (at least one sentence)',
      ),
    );
  if (!p.alternativesConsidered.some((a) => a.trim()))
    out.push(
      violation(
        'R-PUR-8',
        at(base, 'alternativesConsidered'),
        'listez les solutions alternatives envisagées et pourquoi elles ne suffisent pas',
        'list the alternatives considered and why they are not enough',
      ),
    );
  return out;
}
