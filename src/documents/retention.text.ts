/** Retention per artefact, as stated in every document (R-CAL-3, R-DOC-1, R-EMP-1). */
import type { Policy } from '../policy/policy.types.ts';
import type { Lang } from './i18n.ts';

export function retentionLines(p: Policy, lang: Lang, accessLogDays: number): string[] {
  const fr = lang === 'fr';
  const lines = [
    fr
      ? `Enregistrements audio : ${p.retention.recordingDays} jours après l’appel`
      : `Audio recordings: ${p.retention.recordingDays} days after the call`,
    fr
      ? `Documents d’analyse (grilles d’évaluation) : ${p.retention.analysisDays} jours`
      : `Analysis documents (evaluation grids): ${p.retention.analysisDays} days`,
    fr ? `Journal des accès : ${accessLogDays} jours` : `Access log: ${accessLogDays} days`,
    fr
      ? 'Appels non enregistrés : aucune donnée personnelle, seulement des compteurs anonymes'
      : 'Calls not recorded: no personal data, only anonymous counters',
  ];
  if (p.reviewWindowDays !== undefined)
    lines.splice(
      1,
      0,
      fr
        ? `Fenêtre de revue : l’audio est supprimé ${p.reviewWindowDays} jours après l’appel, seuls les documents d’analyse sont conservés`
        : `Review window: the audio is deleted ${p.reviewWindowDays} days after the call; only the analysis documents are kept`,
    );
  return lines;
}
