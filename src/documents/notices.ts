/**
 * The notices (R-DOC-3): the employee notice (R-EMP-2), the caller scripts (first level, R-CAL-1, per
 * policy with the objection key) and the full notice (second level, GDPR art. 13, R-CAL-3), which the
 * server publishes at a public URL. `fullNoticeGaps` lists the art. 13 items the configuration lacks;
 * policy activation refuses while any is missing.
 */
import type { PolicyFile } from '../policy/policy.types.ts';
import { dl, esc, page, ul } from './html.ts';
import {
  BASIS_LABEL,
  COMPLAINT_TEXT,
  PURPOSE_LABEL,
  RIGHTS_TEXT,
  T,
  purposeList,
  type Lang,
} from './i18n.ts';
import { retentionLines } from './retention.text.ts';

export interface DocumentOptions {
  /** config.audit.retentionDays, stated as the access log's retention. */
  readonly accessLogDays: number;
}

const transfersText = (f: PolicyFile, lang: Lang): string =>
  !f.organisation.transfers || f.organisation.transfers === 'none'
    ? lang === 'fr'
      ? 'Aucun transfert hors de l’Union européenne.'
      : 'No transfer outside the European Union.'
    : f.organisation.transfers;

/** R-CAL-3: the art. 13 items missing from the configuration (empty when the notice is complete). */
export function fullNoticeGaps(f: PolicyFile): string[] {
  const gaps: string[] = [];
  const o = f.organisation;
  if (!o.controller.name || !o.controller.contact) gaps.push('controller');
  if (!o.dpo.contact) gaps.push('dpo');
  if (!o.recipients || o.recipients.length === 0) gaps.push('recipients');
  if (o.transfers === undefined || o.transfers.trim() === '') gaps.push('transfers');
  if (!f.notices.caller.objectionKey) gaps.push('objection');
  for (const p of f.policies) {
    if (p.purposes.length === 0) gaps.push(`${p.id}: purposes`);
    if (p.legalBasis === 'legitimate_interest' && !p.legitimateInterest?.trim())
      gaps.push(`${p.id}: legitimateInterest`);
  }
  return gaps;
}

export function employeeNotice(f: PolicyFile, lang: Lang, o: DocumentOptions): string {
  const fr = lang === 'fr';
  const v = f.notices.employee.version;
  const policies = f.policies
    .map((p) => {
      const period = p.campaign
        ? `${p.campaign.startsAt} → ${p.campaign.endsAt}`
        : fr
          ? 'sans date de fin'
          : 'no end date';
      return `<h2>${esc(p.id)}</h2>\n${dl([
        [T.purposes[lang], purposeList(p.purposes, lang)],
        [
          T.scope[lang],
          `${p.scope.teams.join(', ') || T.all[lang]} / ${p.scope.queues.join(', ') || T.all[lang]}`,
        ],
        [
          T.sampling[lang],
          `${Math.round(p.sampling.rate * 1000) / 10} %${p.sampling.maxPerAgentPerDay ? (fr ? `, au plus ${p.sampling.maxPerAgentPerDay} par jour et par conseiller` : `, at most ${p.sampling.maxPerAgentPerDay} per agent per day`) : ''}`,
        ],
        [T.period[lang], period],
        [
          fr ? 'Écoute en direct' : 'Live listening',
          p.liveListening ? (fr ? 'oui' : 'yes') : fr ? 'non' : 'no',
        ],
      ])}\n${ul(retentionLines(p, lang, o.accessLogDays))}`;
    })
    .join('\n');
  const intro = fr
    ? `Cette note vous informe, avant toute écoute ou tout enregistrement, du dispositif d’enregistrement des appels (articles L1222-3 et L1222-4 du Code du travail). Version ${v}.`
    : `This notice tells you, before any listening or recording, about the call recording system (French Labour Code, art. L1222-3 and L1222-4). Version ${v}.`;
  const rights = fr
    ? 'Vous pouvez consulter à tout moment les campagnes qui vous concernent, les métadonnées de vos enregistrements, les évaluations vous concernant et la liste des personnes ayant écouté vos appels. Les lignes personnelles et les lignes des représentants du personnel ne sont jamais enregistrées. Les représentants du personnel (CSE) ont été consultés.'
    : 'You can see at any time the campaigns that apply to you, your recordings’ metadata, the evaluations about you and who listened to your calls. Personal lines and staff representatives’ lines are never recorded. Staff representatives (CSE) were consulted.';
  const body = `<p>${esc(intro)}</p>\n${dl([
    [T.controller[lang], `${f.organisation.controller.name}, ${f.organisation.controller.address}`],
    [T.dpo[lang], `${f.organisation.dpo.name} <${f.organisation.dpo.contact}>`],
    [T.recipients[lang], (f.organisation.recipients ?? []).join(', ')],
  ])}\n${policies}\n<h2>${esc(T.rights[lang])}</h2>\n<p>${esc(rights)}</p>\n<p>${esc(COMPLAINT_TEXT[lang])}</p>`;
  return page(
    lang,
    fr
      ? `Note d’information des salariés — enregistrement des appels (v${v})`
      : `Employee notice — call recording (v${v})`,
    body,
  );
}

/** R-CAL-1: the first-level script for each policy: configured text, purposes and objection key. */
export function callerScripts(f: PolicyFile, lang: Lang): string {
  const c = f.notices.caller;
  const fr = lang === 'fr';
  const parts = f.policies.map((p) => {
    const outbound = fr
      ? `Script du conseiller (appels sortants) : « Cet appel peut être enregistré par ${f.organisation.controller.name} pour les finalités suivantes : ${purposeList(p.purposes, lang)}. Vous pouvez vous y opposer à tout moment en me le disant. Plus d’informations : ${c.fullNoticeUrl} »`
      : `Agent script (outbound calls): "This call may be recorded by ${f.organisation.controller.name} for ${purposeList(p.purposes, lang)}. You may object at any time by telling me. More information: ${c.fullNoticeUrl}"`;
    return [
      `== ${p.id} ==`,
      fr ? `Message d’accueil (version ${c.version}) :` : `Greeting message (version ${c.version}):`,
      c.firstLevelText[lang],
      fr ? `Touche d’opposition : ${c.objectionKey}` : `Objection key: ${c.objectionKey}`,
      outbound,
      '',
    ].join('\n');
  });
  return parts.join('\n');
}

/** R-CAL-3: the full notice page, GDPR art. 13. */
export function fullNotice(f: PolicyFile, lang: Lang, o: DocumentOptions): string {
  const fr = lang === 'fr';
  const org = f.organisation;
  const sections = f.policies
    .map((p) => {
      const rows: [string, string][] = [
        [T.purposes[lang], purposeList(p.purposes, lang)],
        [T.legalBasis[lang], BASIS_LABEL[p.legalBasis][lang]],
      ];
      if (p.legitimateInterest) rows.push([T.legitimateInterest[lang], p.legitimateInterest]);
      return `<h2>${esc(p.purposes.map((x) => PURPOSE_LABEL[x][lang]).join(' / '))}</h2>\n${dl(rows)}\n<h3>${esc(T.retention[lang])}</h3>\n${ul(retentionLines(p, lang, o.accessLogDays))}`;
    })
    .join('\n');
  const objection = fr
    ? `Pendant l’appel, appuyez sur la touche ${f.notices.caller.objectionKey} ou dites-le au conseiller : l’enregistrement s’arrête et ce qui a été capté est détruit.`
    : `During the call, press ${f.notices.caller.objectionKey} or tell the agent: recording stops and what was captured is destroyed.`;
  const body = `${dl([
    [T.controller[lang], `${org.controller.name}, ${org.controller.address} (${org.controller.contact})`],
    [T.dpo[lang], `${org.dpo.name} <${org.dpo.contact}>`],
    [T.recipients[lang], (org.recipients ?? []).join(', ')],
    [T.transfers[lang], transfersText(f, lang)],
  ])}\n${sections}\n<h2>${esc(T.rights[lang])}</h2>\n<p>${esc(RIGHTS_TEXT[lang])}</p>\n<p>${esc(objection)}</p>\n<p>${esc(fr ? `Pour exercer vos droits : ${org.dpo.contact}` : `To exercise your rights: ${org.dpo.contact}`)}</p>\n<h2>${esc(T.complaint[lang])}</h2>\n<p>${esc(COMPLAINT_TEXT[lang])}</p>`;
  return page(
    lang,
    fr ? 'Enregistrement des appels : information complète' : 'Call recording: full notice',
    body,
  );
}
