/**
 * `ecoute policy check FILE`, `ecoute policy explain FILE --call CALL.json` and `ecoute policy schema`:
 * policies-as-code at the command line, with rule-cited bilingual refusals (issue 2).
 */
import { readFileSync } from 'node:fs';
import { fail } from '../../errors.ts';
import { parseCallFacts } from '../../policy/call-facts.parse.ts';
import { decide, decisionContext, type Decision } from '../../policy/decide.ts';
import { PolicyErrors } from '../../policy/errors.ts';
import { formatOfName, parsePolicyText } from '../../policy/parse.ts';
import type { PolicyFile } from '../../policy/policy.types.ts';
import { policySchema } from '../../policy/policy.schema.ts';
import { RULE_TITLES } from '../../policy/rule-titles.ts';
import { validate, type Violation } from '../../policy/validate.ts';
import { cryptoRng, replayRng } from '../../random.ts';
import { ExitCode, type CommandModule } from '../cli.ts';

type Lang = 'fr' | 'en';

function langOf(v: string | undefined): Lang {
  if (v === undefined || v === 'fr' || v === 'en') return v ?? 'fr';
  throw fail(PolicyErrors.INVALID, `--lang must be fr or en, not "${v}"`);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw fail(PolicyErrors.UNREADABLE, `cannot read ${file}: ${(e as Error).message}`, { file }, e);
  }
}

function loadPolicyFile(file: string): ReturnType<typeof validate> {
  return validate(parsePolicyText(readText(file), formatOfName(file)));
}

export function formatViolations(violations: readonly Violation[], lang: Lang): string[] {
  const w = Math.max(...violations.map((v) => v.path.length), 4);
  return violations.map((v) => `${v.rule.padEnd(9)}  ${v.path.padEnd(w)}  ${v.message[lang]}`);
}

const pct = (r: number): string => `${+(r * 100).toFixed(2)} %`;

export function summarise(file: PolicyFile, lang: Lang): string[] {
  const fr = lang === 'fr';
  const sc = file.organisation.staffConsultation;
  const consult =
    sc && 'reference' in sc
      ? `${sc.date} (${sc.reference})`
      : fr
        ? 'aucune instance (déclarée)'
        : 'none (declared)';
  const lines = [
    fr
      ? `Fichier valide : ${file.policies.length} politique(s), juridiction ${file.jurisdiction}`
      : `Valid file: ${file.policies.length} policy(ies), jurisdiction ${file.jurisdiction}`,
    `  ${fr ? 'Consultation du CSE' : 'Staff consultation'} [R-EMP-1]: ${consult}`,
    `  ${fr ? 'Notices' : 'Notices'}: ${fr ? 'salariés' : 'employee'} v${file.notices.employee.version}, ${fr ? 'appelants' : 'caller'} v${file.notices.caller.version} (${fr ? 'touche d’opposition' : 'objection key'} ${file.notices.caller.objectionKey})`,
  ];
  for (const p of file.policies) {
    const cap = p.sampling.maxPerAgentPerDay;
    const trig = p.trigger ? `, ${fr ? 'déclencheur' : 'trigger'} ${p.trigger}` : '';
    lines.push(
      `- ${p.id} v${p.version}: ${p.purposes.join(', ')} (${p.legalBasis})`,
      `    scope: ${fr ? 'équipes' : 'teams'} ${p.scope.teams.join(', ') || '*'}; ${fr ? 'files' : 'queues'} ${p.scope.queues.join(', ') || '*'}; ${p.scope.directions.join(', ') || '*'}`,
      `    sampling: ${pct(p.sampling.rate)}${cap ? `, ${fr ? 'au plus' : 'at most'} ${cap}/${fr ? 'agent/jour' : 'agent/day'}` : ''}${trig}`,
      `    campaign: ${p.campaign ? `${p.campaign.startsAt} → ${p.campaign.endsAt} (${file.organisation.timeZone})` : fr ? 'permanente' : 'open-ended'}`,
      `    retention: ${fr ? 'enregistrement' : 'recording'} ${p.retention.recordingDays} ${fr ? 'j' : 'd'}, ${fr ? 'analyse' : 'analysis'} ${p.retention.analysisDays} ${fr ? 'j' : 'd'}${p.reviewWindowDays ? `, ${fr ? 'revue' : 'review'} ${p.reviewWindowDays} ${fr ? 'j' : 'd'}` : ''}`,
      `    ${fr ? 'écoute en direct' : 'live listening'}: ${p.liveListening}; ${fr ? 'vidéo d’écran' : 'screen video'}: ${p.screenVideo}; ${fr ? 'téléchargement' : 'downloads'}: ${p.downloadRoles.join(', ') || (fr ? 'désactivé' : 'off')}`,
    );
  }
  return lines;
}

export function formatDecision(d: Decision, lang: Lang): string[] {
  const fr = lang === 'fr';
  const head = d.record
    ? `${fr ? 'ENREGISTRÉ' : 'RECORDED'} — ${d.policyId} v${d.policyVersion} (${d.purposes.join(', ')})`
    : `${fr ? 'NON ENREGISTRÉ' : 'NOT RECORDED'} — ${fr ? 'motif' : 'reason'}: ${d.reason}`;
  const lines = [head];
  for (const g of d.gates)
    lines.push(
      `  ${g.passed ? 'ok ' : 'NO '} ${g.rule.padEnd(8)} ${(RULE_TITLES[g.rule]?.[lang] ?? '').padEnd(32)} ${g.detail}`,
    );
  if (d.draw) lines.push(`  ${fr ? 'tirage' : 'draw'}: value=${d.draw.value} seed=${d.draw.seed}`);
  if (d.record && d.retention)
    lines.push(
      `  ${fr ? 'début de capture' : 'capture starts'}: ${new Date(d.startAt).toISOString()}`,
      `  ${fr ? 'conservation' : 'retention'}: ${d.retention.recordingDays} / ${d.retention.analysisDays}${fr ? ' jours' : ' days'}${d.writeOnce ? ' (write-once)' : ''}; ${fr ? 'écoute en direct' : 'live listening'}: ${d.liveListening}`,
    );
  return lines;
}

export const policyCommand: CommandModule = ({ program, out }) => {
  const policy = program
    .command('policy')
    .description('policies as code: check a policy file, explain a decision');

  policy
    .command('check')
    .description('validate a policy file (YAML or JSON) against the rulebook; exit 1 on any violation')
    .argument('<file>', 'policy file')
    .option('--lang <lang>', 'fr or en', 'fr')
    .option('--json', 'machine-readable output')
    .action((file: string, o: { lang?: string; json?: boolean }) => {
      const lang = langOf(o.lang);
      const r = loadPolicyFile(file);
      if (o.json) out(JSON.stringify({ ok: r.ok, violations: r.violations }, null, 2));
      else if (r.ok && r.policyFile) out(summarise(r.policyFile, lang).join('\n'));
      else out([...formatViolations(r.violations, lang), `${r.violations.length} violation(s)`].join('\n'));
      if (!r.ok) throw new ExitCode(1);
    });

  policy
    .command('explain')
    .description('decide for one call and show why, gate by gate')
    .argument('<file>', 'policy file')
    .requiredOption('--call <call.json>', 'call facts (JSON)')
    .option('--lang <lang>', 'fr or en', 'fr')
    .option('--seed <seed>', 'replay a stored draw seed (R-PUR-4)')
    .option('--at <iso>', 'decision time (default: the call start)')
    .option('--json', 'machine-readable output')
    .action(
      (file: string, o: { call: string; lang?: string; seed?: string; at?: string; json?: boolean }) => {
        const lang = langOf(o.lang);
        const r = loadPolicyFile(file);
        if (!r.ok || !r.policyFile) {
          out([...formatViolations(r.violations, lang), `${r.violations.length} violation(s)`].join('\n'));
          throw new ExitCode(1);
        }
        const facts = parseCallFacts(JSON.parse(readText(o.call)) as unknown);
        const at = o.at === undefined ? facts.startedAt : Date.parse(o.at);
        if (!Number.isFinite(at))
          throw fail(PolicyErrors.BAD_CALL_FACTS, `--at must be an ISO 8601 time, not "${o.at}"`);
        const rng = o.seed === undefined ? cryptoRng() : replayRng(o.seed);
        const d = decide(facts, decisionContext(r.policyFile), rng, { now: () => at });
        out(o.json ? JSON.stringify(d, null, 2) : formatDecision(d, lang).join('\n'));
      },
    );

  policy
    .command('schema')
    .description('print the published JSON Schema of policy files (schema/policy.schema.json)')
    .action(() => out(JSON.stringify(policySchema, null, 2)));
};
