/** Section F of the rulebook, statically: retention caps per purpose and sector (R-RET-1..3, R-RET-5). */
import type { JurisdictionProfile } from './jurisdictions.ts';
import { LEGAL_REFERENCES, SHORT_RETENTION_PURPOSES, type Policy, type Purpose } from './policy.types.ts';
import { at, violation, type Violation } from './violation.ts';

const isShort = (p: Purpose): boolean => (SHORT_RETENTION_PURPOSES as readonly Purpose[]).includes(p);

export function checkRetention(p: Policy, base: string, profile: JurisdictionProfile): Violation[] {
  const out: Violation[] = [];
  const r = at(base, 'retention');
  const days = p.retention.recordingDays;
  const short = p.purposes.filter(isShort);
  if (short.length > 0 && days > profile.shortRetentionMaxDays)
    out.push(
      violation(
        'R-RET-1',
        at(r, 'recordingDays'),
        `${days} jours : les enregistrements (${short.join(', ')}) sont conservés au plus ${profile.shortRetentionMaxDays} jours (6 mois)`,
        `${days} days: recordings (${short.join(', ')}) are kept at most ${profile.shortRetentionMaxDays} days (6 months)`,
      ),
    );
  if (p.purposes.includes('contract_proof') && days > profile.contractProofMaxDays)
    out.push(
      violation(
        'R-RET-3',
        at(r, 'recordingDays'),
        `${days} jours : la preuve du contrat est conservée au plus ${profile.contractProofMaxDays} jours (prescription)`,
        `${days} days: contract proof is kept at most ${profile.contractProofMaxDays} days (limitation period)`,
      ),
    );
  if (p.retention.analysisDays > profile.analysisMaxDays)
    out.push(
      violation(
        'R-RET-2',
        at(r, 'analysisDays'),
        `${p.retention.analysisDays} jours : les documents d’analyse sont conservés au plus ${profile.analysisMaxDays} jours (1 an)`,
        `${p.retention.analysisDays} days: analysis documents are kept at most ${profile.analysisMaxDays} days (1 year)`,
      ),
    );
  if (p.purposes.includes('legal_obligation') && p.legalReference !== undefined) {
    const ref = LEGAL_REFERENCES[p.legalReference];
    if (days < ref.minRecordingDays || days > ref.maxRecordingDays)
      out.push(
        violation(
          'R-RET-3',
          at(r, 'recordingDays'),
          `${days} jours hors de la durée sectorielle de ${ref.label.fr} (${ref.minRecordingDays} à ${ref.maxRecordingDays} jours)`,
          `${days} days is outside the sector retention of ${ref.label.en} (${ref.minRecordingDays} to ${ref.maxRecordingDays} days)`,
        ),
      );
  }
  if (p.reviewWindowDays !== undefined && p.reviewWindowDays > days)
    out.push(
      violation(
        'R-RET-5',
        at(base, 'reviewWindowDays'),
        'la fenêtre de revue ne peut dépasser la durée de conservation de l’enregistrement',
        'the review window cannot exceed the recording’s retention',
      ),
    );
  if (p.reviewWindowDays !== undefined && p.purposes.includes('legal_obligation'))
    out.push(
      violation(
        'R-RET-3',
        at(base, 'reviewWindowDays'),
        'un enregistrement réglementaire est non modifiable et ne peut être supprimé avant son échéance',
        'a regulatory recording is write-once and cannot be deleted before expiry',
      ),
    );
  return out;
}
