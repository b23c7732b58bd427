/** Short bilingual titles of the rules the engine cites, for `policy check` summaries and `policy explain`. */
import type { Bilingual } from './policy.types.ts';

export const RULE_TITLES: Readonly<Record<string, Bilingual>> = {
  'R-EMP-1': { fr: 'consultation du CSE', en: 'staff consultation' },
  'R-EMP-2': { fr: 'information de l’agent', en: 'agent informed' },
  'R-EMP-4': { fr: 'appel personnel', en: 'personal call' },
  'R-EMP-5': { fr: 'ligne de salarié protégé', en: 'protected employee line' },
  'R-CAL-1': { fr: 'information de l’appelant', en: 'caller informed' },
  'R-CAL-2': { fr: 'opposition de l’appelant', en: 'caller objection' },
  'R-CAL-4': { fr: 'liste d’opposition', en: 'opposition list' },
  'R-PUR-2': { fr: 'obligation légale', en: 'legal obligation' },
  'R-PUR-3': { fr: 'plafond par agent et par jour', en: 'per-agent daily cap' },
  'R-PUR-4': { fr: 'tirage aléatoire', en: 'random draw' },
  'R-PUR-5': { fr: 'campagne en cours', en: 'campaign open' },
  'R-PUR-6': { fr: 'bouton incivilité de l’agent', en: 'agent incident button' },
  'R-PUR-7': { fr: 'déclencheur de preuve du contrat', en: 'contract proof trigger' },
};
