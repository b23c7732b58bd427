/** Labels of the generated documents, French and English (R-DOC-3). */
import type { LegalBasis, Purpose } from '../policy/policy.types.ts';

export type Lang = 'fr' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'en'];

export const PURPOSE_LABEL: Record<Purpose, Record<Lang, string>> = {
  training: { fr: 'formation des conseillers', en: 'training of agents' },
  evaluation: { fr: 'évaluation des conseillers', en: 'evaluation of agents' },
  quality: { fr: 'amélioration de la qualité du service', en: 'improving the quality of service' },
  contract_proof: { fr: 'preuve de la conclusion d’un contrat', en: 'proof of a contract' },
  legal_obligation: { fr: 'respect d’une obligation légale', en: 'compliance with a legal obligation' },
  agent_incident: { fr: 'protection des conseillers (incivilités)', en: 'protection of agents (abuse)' },
};

export const BASIS_LABEL: Record<LegalBasis, Record<Lang, string>> = {
  consent: { fr: 'consentement (art. 6.1.a RGPD)', en: 'consent (GDPR art. 6(1)(a))' },
  contract: {
    fr: 'exécution d’un contrat (art. 6.1.b RGPD)',
    en: 'performance of a contract (GDPR art. 6(1)(b))',
  },
  legal_obligation: { fr: 'obligation légale (art. 6.1.c RGPD)', en: 'legal obligation (GDPR art. 6(1)(c))' },
  vital_interests: { fr: 'intérêts vitaux (art. 6.1.d RGPD)', en: 'vital interests (GDPR art. 6(1)(d))' },
  public_task: { fr: 'mission d’intérêt public (art. 6.1.e RGPD)', en: 'public task (GDPR art. 6(1)(e))' },
  legitimate_interest: {
    fr: 'intérêt légitime (art. 6.1.f RGPD)',
    en: 'legitimate interest (GDPR art. 6(1)(f))',
  },
};

export const T = {
  controller: { fr: 'Responsable du traitement', en: 'Controller' },
  dpo: { fr: 'Délégué à la protection des données', en: 'Data protection officer' },
  purposes: { fr: 'Finalités', en: 'Purposes' },
  legalBasis: { fr: 'Base légale', en: 'Legal basis' },
  legitimateInterest: { fr: 'Intérêt légitime poursuivi', en: 'Legitimate interest pursued' },
  recipients: { fr: 'Destinataires', en: 'Recipients' },
  retention: { fr: 'Durées de conservation', en: 'Retention periods' },
  rights: { fr: 'Vos droits', en: 'Your rights' },
  transfers: { fr: 'Transferts hors Union européenne', en: 'Transfers outside the European Union' },
  complaint: { fr: 'Réclamation', en: 'Complaint' },
  scope: { fr: 'Périmètre', en: 'Scope' },
  sampling: { fr: 'Échantillonnage', en: 'Sampling' },
  period: { fr: 'Période', en: 'Period' },
  whoListens: { fr: 'Qui écoute', en: 'Who listens' },
  days: { fr: 'jours', en: 'days' },
  none: { fr: 'aucun', en: 'none' },
  all: { fr: 'tous', en: 'all' },
} as const satisfies Record<string, Record<Lang, string>>;

export const RIGHTS_TEXT: Record<Lang, string> = {
  fr: 'Vous disposez d’un droit d’accès (y compris à l’enregistrement lui-même), de rectification, d’effacement, de limitation et d’opposition : vous pouvez vous opposer à l’enregistrement pendant l’appel, puis demander la suppression d’un enregistrement et qu’aucun de vos futurs appels ne soit enregistré. Nous répondons dans un délai d’un mois.',
  en: 'You have the right of access (including to the recording itself), rectification, erasure, restriction and objection: you may object to the recording during the call, then ask that a recording be deleted and that none of your future calls be recorded. We answer within one month.',
};

export const COMPLAINT_TEXT: Record<Lang, string> = {
  fr: 'Vous pouvez introduire une réclamation auprès de la CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07 (www.cnil.fr).',
  en: 'You may lodge a complaint with the CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, France (www.cnil.fr).',
};

export const purposeList = (ps: readonly Purpose[], lang: Lang): string =>
  ps.map((p) => PURPOSE_LABEL[p][lang]).join(', ');
