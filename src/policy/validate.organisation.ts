/**
 * Sections C and D of the rulebook, statically: staff consultation (R-EMP-1), the caller's first-level
 * message (R-CAL-1) and the completeness of the full notice (R-CAL-3).
 */
import { isValidTimeZone } from './campaign.ts';
import type { JurisdictionProfile } from './jurisdictions.ts';
import type { Organisation, Policy, PolicyFile } from './policy.types.ts';
import { violation, type Violation } from './violation.ts';

export function checkOrganisation(org: Organisation, profile: JurisdictionProfile): Violation[] {
  const out: Violation[] = [];
  if (profile.staffConsultationRequired && org.staffConsultation === undefined)
    out.push(
      violation(
        'R-EMP-1',
        'organisation.staffConsultation',
        'aucune politique ne peut être activée sans la consultation du CSE (date et référence du procès-verbal) ou la déclaration qu’il n’y en a pas ({ none: true, reason })',
        'no policy can be activated without the staff representatives’ consultation (date and minutes reference) or a declaration that there are none ({ none: true, reason })',
      ),
    );
  if (!isValidTimeZone(org.timeZone))
    out.push(
      violation(
        'R-PUR-5',
        'organisation.timeZone',
        `fuseau horaire inconnu « ${org.timeZone} »`,
        `unknown time zone "${org.timeZone}"`,
      ),
    );
  return out;
}

export function checkCallerNotice(file: PolicyFile, profile: JurisdictionProfile): Violation[] {
  const out: Violation[] = [];
  const c = file.notices.caller;
  const base = 'notices.caller';
  if (c.objectionKey === undefined || c.objectionKey === '')
    out.push(
      violation(
        'R-CAL-1',
        `${base}.objectionKey`,
        'le message d’information doit dire comment s’opposer : définissez la touche d’opposition',
        'the notice must say how to object: set the objection key',
      ),
    );
  else
    for (const lang of ['fr', 'en'] as const)
      if (!c.firstLevelText[lang].includes(c.objectionKey))
        out.push(
          violation(
            'R-CAL-1',
            `${base}.firstLevelText.${lang}`,
            `le message (${lang}) ne mentionne pas la touche d’opposition « ${c.objectionKey} »`,
            `the message (${lang}) does not mention the objection key "${c.objectionKey}"`,
          ),
        );
  for (const item of profile.firstLevelItems)
    if (!c.firstLevelItems.includes(item))
      out.push(
        violation(
          'R-CAL-1',
          `${base}.firstLevelItems`,
          `le premier niveau d’information doit couvrir « ${item} » dans cette juridiction`,
          `the first-level message must cover "${item}" in this jurisdiction`,
        ),
      );
  if (!c.fullNoticeUrl?.trim())
    out.push(
      violation(
        'R-CAL-3',
        `${base}.fullNoticeUrl`,
        'la notice complète (second niveau, RGPD art. 13) doit être publiée : fullNoticeUrl manquant',
        'the full notice (second level, GDPR art. 13) must be published: fullNoticeUrl is missing',
      ),
    );
  out.push(...checkFullNoticeItems(file));
  out.push(...checkSectorNotices(file));
  return out;
}

/** Legal references whose sector rules say what the caller must be told (R-CAL-5). */
const SECTOR_NOTICE_REFERENCES: readonly string[] = ['MIFID2_2017_565_ART76', 'CODE_ASSURANCES_L112_2_2'];

/**
 * R-CAL-5: MiFID recording is announced with how long copies are kept (5 years, 7 on request);
 * insurance canvassing tells the 2-year retention and the right to a copy. So a sector policy needs a
 * first-level message that covers both the recording and its retention.
 */
export function checkSectorNotices(file: PolicyFile): Violation[] {
  const sector = file.policies.filter(
    (p) => p.legalReference && SECTOR_NOTICE_REFERENCES.includes(p.legalReference),
  );
  if (sector.length === 0) return [];
  const items = file.notices.caller.firstLevelItems;
  return (['recording', 'retention'] as const)
    .filter((item) => !items.includes(item))
    .map((item) =>
      violation(
        'R-CAL-5',
        'notices.caller.firstLevelItems',
        `la politique sectorielle ${sector[0]?.id ?? ''} exige que le message d’accueil annonce « ${item} » (MiFID, démarchage en assurance)`,
        `sector policy ${sector[0]?.id ?? ''} requires the first-level message to announce "${item}" (MiFID, insurance canvassing)`,
      ),
    );
}

/** R-CAL-3: every item of GDPR art. 13 the product cannot invent must come from the file. */
function checkFullNoticeItems(file: PolicyFile): Violation[] {
  const out: Violation[] = [];
  const org = file.organisation;
  if (!org.recipients || org.recipients.length === 0)
    out.push(
      violation(
        'R-CAL-3',
        'organisation.recipients',
        'la notice complète doit nommer les destinataires des enregistrements',
        'the full notice must name the recordings’ recipients',
      ),
    );
  if (!org.transfers?.trim())
    out.push(
      violation(
        'R-CAL-3',
        'organisation.transfers',
        'la notice complète doit dire s’il y a des transferts hors UE (« none » sinon)',
        'the full notice must say whether data is transferred outside the EU ("none" otherwise)',
      ),
    );
  return out;
}

/** R-CAL-3: the full notice states the legitimate interest of each policy that relies on it. */
export function checkPolicyNotice(p: Policy, base: string): Violation[] {
  if (p.legalBasis === 'legitimate_interest' && !p.legitimateInterest?.trim())
    return [
      violation(
        'R-CAL-3',
        `${base}.legitimateInterest`,
        'la notice complète doit décrire l’intérêt légitime poursuivi',
        'the full notice must describe the legitimate interest pursued',
      ),
    ];
  return [];
}
