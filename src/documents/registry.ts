/**
 * R-DOC-1: the record of processing activities entry (GDPR art. 30) for each policy; R-EMP-1: the CSE
 * consultation file; R-DOC-2: the DPIA pre-check as a document. All from the policy file.
 */
import { LEGAL_REFERENCES, type Policy, type PolicyFile } from '../policy/policy.types.ts';
import { dpiaCheck } from './dpia.ts';
import { dl, esc, page, ul } from './html.ts';
import { BASIS_LABEL, T, purposeList, type Lang } from './i18n.ts';
import type { DocumentOptions } from './notices.ts';
import { retentionLines } from './retention.text.ts';

const SECURITY: Record<Lang, string[]> = {
  fr: [
    'Chiffrement de chaque enregistrement avec sa propre clé (AES-256-GCM), clés protégées par une clé maîtresse',
    'Suppression par destruction de la clé (crypto-effacement), avec reçu',
    'Comptes individuels, moindre privilège, second facteur pour les rôles qui écoutent',
    'Journal des accès en chaîne de hachage, vérifiable',
    'Toute écoute indique une finalité qui doit être celle de l’enregistrement',
  ],
  en: [
    'Each recording encrypted with its own key (AES-256-GCM), keys wrapped by a master key',
    'Deletion by destroying the key (crypto-shredding), with a receipt',
    'Individual accounts, least privilege, second factor for roles that listen',
    'Hash-chained, verifiable access log',
    'Every listening states a purpose that must be one of the recording’s',
  ],
};

const who = (p: Policy, lang: Lang): string => {
  const roles: string[] = [];
  if (p.purposes.some((x) => ['quality', 'evaluation', 'agent_incident'].includes(x)))
    roles.push(lang === 'fr' ? 'superviseurs' : 'supervisors');
  if (p.purposes.some((x) => ['quality', 'evaluation'].includes(x)))
    roles.push(lang === 'fr' ? 'évaluateurs' : 'evaluators');
  if (p.purposes.includes('training')) roles.push(lang === 'fr' ? 'formateurs' : 'trainers');
  if (p.purposes.some((x) => ['contract_proof', 'legal_obligation'].includes(x)))
    roles.push(lang === 'fr' ? 'DPO / responsable conformité' : 'DPO / compliance officer');
  return `${roles.join(', ')}${lang === 'fr' ? ' de leurs équipes uniquement' : ', own teams only'}`;
};

export function recordOfProcessing(f: PolicyFile, lang: Lang, o: DocumentOptions): string {
  const fr = lang === 'fr';
  const entries = f.policies
    .map((p) => {
      const rows: [string, string][] = [
        [T.controller[lang], `${f.organisation.controller.name}, ${f.organisation.controller.address}`],
        [T.dpo[lang], `${f.organisation.dpo.name} <${f.organisation.dpo.contact}>`],
        [T.purposes[lang], purposeList(p.purposes, lang)],
        [
          T.legalBasis[lang],
          BASIS_LABEL[p.legalBasis][lang] +
            (p.legalReference ? ` — ${LEGAL_REFERENCES[p.legalReference].label[lang]}` : ''),
        ],
        [
          fr ? 'Personnes concernées' : 'Data subjects',
          fr ? 'conseillers, appelants et personnes appelées' : 'agents, callers and called persons',
        ],
        [
          fr ? 'Catégories de données' : 'Data categories',
          fr
            ? 'voix, numéro de téléphone (chiffré, empreinte à clé), identifiant du conseiller, date, heure et durée, évaluations professionnelles'
            : 'voice, phone number (encrypted, keyed hash), agent identifier, date, time and duration, professional evaluations',
        ],
        [T.recipients[lang], `${(f.organisation.recipients ?? []).join(', ')} — ${who(p, lang)}`],
        [
          T.transfers[lang],
          f.organisation.transfers && f.organisation.transfers !== 'none'
            ? f.organisation.transfers
            : T.none[lang],
        ],
        [
          'DPIA',
          p.dpiaReference ??
            (dpiaCheck(p).required
              ? fr
                ? 'REQUISE, non renseignée'
                : 'REQUIRED, not recorded'
              : fr
                ? 'non requise'
                : 'not required'),
        ],
      ];
      return `<h2>${esc(p.id)} (v${p.version})</h2>\n${dl(rows)}\n<h3>${esc(T.retention[lang])}</h3>\n${ul(retentionLines(p, lang, o.accessLogDays))}\n<h3>${esc(fr ? 'Mesures de sécurité' : 'Security measures')}</h3>\n${ul(SECURITY[lang])}`;
    })
    .join('\n');
  return page(
    lang,
    fr
      ? 'Registre des activités de traitement (art. 30 RGPD) — enregistrement des appels'
      : 'Record of processing activities (GDPR art. 30) — call recording',
    entries,
  );
}

export function dpiaPrecheck(f: PolicyFile, lang: Lang): string {
  const fr = lang === 'fr';
  const label: Record<string, Record<Lang, string>> = {
    employees: { fr: 'personnes vulnérables (salariés)', en: 'vulnerable data subjects (employees)' },
    evaluation: { fr: 'évaluation de personnes', en: 'evaluation of persons' },
    systematic_monitoring: { fr: 'surveillance systématique', en: 'systematic monitoring' },
    large_scale: { fr: 'grande échelle', en: 'large scale' },
    innovative_use: { fr: 'usage innovant (vidéo d’écran)', en: 'innovative use (screen video)' },
  };
  const body = f.policies
    .map((p) => {
      const c = dpiaCheck(p);
      const verdict = c.required
        ? p.dpiaReference
          ? fr
            ? `AIPD requise — référence : ${p.dpiaReference}`
            : `DPIA required — reference: ${p.dpiaReference}`
          : fr
            ? 'AIPD requise — activation bloquée tant que sa référence n’est pas enregistrée'
            : 'DPIA required — activation blocked until its reference is recorded'
        : fr
          ? 'AIPD non requise (moins de deux critères)'
          : 'DPIA not required (fewer than two criteria)';
      return `<h2>${esc(p.id)}</h2>\n${ul(c.criteria.map((x) => label[x]?.[lang] ?? x))}\n<p${c.required && !p.dpiaReference ? ' class="warn"' : ''}>${esc(verdict)}</p>`;
    })
    .join('\n');
  return page(lang, fr ? 'Pré-analyse d’impact (AIPD)' : 'DPIA pre-check', body);
}

export function cseFile(f: PolicyFile, lang: Lang, o: DocumentOptions): string {
  const fr = lang === 'fr';
  const sc = f.organisation.staffConsultation;
  const consultation = !sc
    ? fr
      ? 'Consultation NON enregistrée : aucune politique ne peut être activée.'
      : 'Consultation NOT recorded: no policy can be activated.'
    : 'none' in sc
      ? fr
        ? `Déclaration d’absence de CSE : ${sc.reason}`
        : `Declaration that there is no CSE: ${sc.reason}`
      : fr
        ? `CSE consulté le ${sc.date}, procès-verbal ${sc.reference}`
        : `CSE consulted on ${sc.date}, minutes ${sc.reference}`;
  const policies = f.policies
    .map(
      (p) =>
        `<h2>${esc(p.id)}</h2>\n${dl([
          [T.purposes[lang], purposeList(p.purposes, lang)],
          [fr ? 'Nécessité' : 'Necessity', p.necessity],
          [fr ? 'Alternatives étudiées' : 'Alternatives considered', p.alternativesConsidered.join(' ; ')],
          [
            T.scope[lang],
            `${fr ? 'équipes' : 'teams'}: ${p.scope.teams.join(', ') || T.all[lang]}; ${fr ? 'files' : 'queues'}: ${p.scope.queues.join(', ') || T.all[lang]}; ${p.scope.directions.join(', ') || T.all[lang]}`,
          ],
          [
            T.sampling[lang],
            `${Math.round(p.sampling.rate * 1000) / 10} %${p.sampling.maxPerAgentPerDay ? ` (max ${p.sampling.maxPerAgentPerDay}/${fr ? 'jour/conseiller' : 'day/agent'})` : ''}${p.samplingJustification ? ` — ${p.samplingJustification}` : ''}`,
          ],
          [
            T.period[lang],
            p.campaign
              ? `${p.campaign.startsAt} → ${p.campaign.endsAt}`
              : fr
                ? 'permanente (obligation légale ou déclenchement)'
                : 'ongoing (legal duty or trigger)',
          ],
          [
            T.whoListens[lang],
            who(p, lang) +
              (p.liveListening ? (fr ? ' ; écoute en direct autorisée' : '; live listening allowed') : ''),
          ],
        ])}\n<h3>${esc(T.retention[lang])}</h3>\n${ul(retentionLines(p, lang, o.accessLogDays))}`,
    )
    .join('\n');
  const rights = fr
    ? 'Les conseillers sont informés avant tout enregistrement et accusent réception de la note ; ils voient les campagnes qui les concernent, leurs enregistrements, leurs évaluations et qui a écouté leurs appels. Les lignes personnelles et celles des salariés protégés ne sont jamais enregistrées. Le journal des accès n’est jamais utilisé pour mesurer le travail des conseillers.'
    : 'Agents are informed before any recording and acknowledge the notice; they see the campaigns that apply to them, their recordings, their evaluations and who listened to their calls. Personal lines and protected employees’ lines are never recorded. The access log is never used to measure agents’ work.';
  return page(
    lang,
    fr
      ? 'Dossier de consultation du CSE — enregistrement et écoute des appels'
      : 'Staff representatives (CSE) consultation file — call recording and listening',
    `<p>${esc(consultation)}</p>\n${policies}\n<h2>${esc(fr ? 'Droits des salariés' : 'Employees’ rights')}</h2>\n<p>${esc(rights)}</p>`,
  );
}
