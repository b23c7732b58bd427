/** Labels of the compliance report (R-DOC-4), shared by the HTML and PDF renderings. */
import type { Lang } from './i18n.ts';

export const R = {
  title: { fr: 'Rapport de conformité', en: 'Compliance report' },
  period: { fr: 'Période', en: 'Period' },
  rates: { fr: 'Taux d’enregistrement par conseiller', en: 'Recording rate per agent' },
  sample: { fr: 'Échantillon de la politique', en: 'Policy sample' },
  agent: { fr: 'Conseiller', en: 'Agent' },
  calls: { fr: 'Appels', en: 'Calls' },
  recorded: { fr: 'Enregistrés', en: 'Recorded' },
  rate: { fr: 'Taux', en: 'Rate' },
  decisions: { fr: 'Décisions par motif', en: 'Decisions by reason' },
  reason: { fr: 'Motif', en: 'Reason' },
  count: { fr: 'Nombre', en: 'Count' },
  objections: { fr: 'Oppositions', en: 'Objections' },
  duringCall: { fr: 'pendant l’appel', en: 'during the call' },
  oppositionList: { fr: 'numéros sur la liste d’opposition', en: 'numbers on the opposition list' },
  notices: { fr: 'Information', en: 'Notices' },
  acknowledged: {
    fr: 'conseillers ont accusé réception de la note salariés',
    en: 'agents acknowledged the employee notice',
  },
  callerNotice: { fr: 'Version du message appelant', en: 'Caller notice version' },
  purges: { fr: 'Suppressions', en: 'Purges' },
  done: { fr: 'effectuées', en: 'done' },
  due: { fr: 'à venir dans les 30 jours', en: 'due in the next 30 days' },
  holds: { fr: 'Gels juridiques', en: 'Legal holds' },
  owner: { fr: 'Responsable', en: 'Owner' },
  review: { fr: 'Revue', en: 'Review' },
  overdue: { fr: 'EN RETARD', en: 'OVERDUE' },
  integrity: { fr: 'Intégrité du journal des accès', en: 'Access-log integrity' },
  intact: { fr: 'intacte', en: 'intact' },
  broken: { fr: 'ROMPUE', en: 'BROKEN' },
  entries: { fr: 'entrées', en: 'entries' },
  requests: { fr: 'Demandes de personnes ouvertes', en: 'Open data-subject requests' },
  deadline: { fr: 'Échéance', en: 'Deadline' },
  kind: { fr: 'Type', en: 'Kind' },
  timeline: {
    fr: 'Chronologie (enregistrements et suppressions par jour)',
    en: 'Timeline (recordings and purges per day)',
  },
  noneRow: { fr: 'aucun', en: 'none' },
} as const satisfies Record<string, Record<Lang, string>>;

export const pct = (x: number): string => `${(Math.round(x * 1000) / 10).toFixed(1)} %`;
export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
