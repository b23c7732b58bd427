/**
 * Writes docs/rulebook-coverage.md: for every rule id of the rulebook, the source files that enforce it
 * and the tests whose titles or bodies name it, found the way a reviewer would (`grep -r R-XXX-N`).
 * `node --import tsx scripts/rulebook-coverage.ts`; test/rulebook-coverage.test.ts keeps it current.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The rulebook's rule ids with a one-line summary (RULEBOOK.md, shared with the steering team). */
export const RULES: readonly (readonly [string, string])[] = [
  ['R-PUR-1', 'purposes from a closed list only; forbidden purposes refused'],
  ['R-PUR-2', 'legal_obligation needs a catalogued legal reference and attestation; only it may record all'],
  ['R-PUR-3', 'training/evaluation/quality never systematic: sample < 1, cap per agent, manual trigger'],
  ['R-PUR-4', 'random selection before capture, seeded, stored and replayable'],
  ['R-PUR-5', 'training and evaluation are time-boxed campaigns'],
  ['R-PUR-6', 'incivility: only the agent’s own button, from that moment'],
  ['R-PUR-7', 'contract_proof: manual or business-event trigger, attestations, no canvassing'],
  ['R-PUR-8', 'necessity and alternatives considered are kept'],
  ['R-PCI-1', 'pause and resume: paused audio reaches nothing'],
  ['R-PCI-2', 'DTMF never stored: RFC 4733 dropped, in-band tones masked'],
  ['R-PCI-3', 'card data captured anyway: audio destroyed at once, logged'],
  ['R-SCR-1', 'no screenshots; screen video only for training, application window'],
  ['R-SCR-2', 'no camera recording of agents'],
  ['R-EMP-1', 'no activation before the staff consultation is recorded'],
  ['R-EMP-2', 'agents recorded only after acknowledging the current notice'],
  ['R-EMP-3', 'agents see which campaigns apply to them and until when'],
  ['R-EMP-4', 'personal calls excluded (never-record lines, per-call switch)'],
  ['R-EMP-5', 'protected employees’ lines never recorded nor listened to'],
  ['R-EMP-6', 'live listening only under an active policy that allows it'],
  ['R-EMP-7', 'agents see their recordings’ metadata, evaluations and who listened'],
  ['R-CAL-1', 'caller notice first; recording starts after it ended; version stored'],
  ['R-CAL-2', 'caller objection stops and destroys the recording, disconnects listeners'],
  ['R-CAL-3', 'full notice (GDPR art. 13) generated and complete before activation'],
  ['R-CAL-4', 'opposition list kept as keyed hashes only'],
  ['R-CAL-5', 'sector notices (MiFID, insurance canvassing)'],
  ['R-MIN-1', 'analysis documents hold only ids, technical data and the evaluation; comments scanned'],
  ['R-MIN-2', 'every playback, download or export states one of the recording’s purposes'],
  ['R-MIN-3', 'access limited to the roles tied to the purpose and to their teams'],
  ['R-MIN-4', 'a call not recorded leaves only anonymous counters'],
  ['R-RET-1', 'recordings at most 6 months (183 days)'],
  ['R-RET-2', 'analysis documents at most 1 year'],
  ['R-RET-3', 'sector retention from the legal reference; write-once until expiry'],
  ['R-RET-4', 'deletion by crypto-shredding, with a receipt and no content'],
  ['R-RET-5', 'review window: audio deleted after N days, documents kept'],
  ['R-RET-6', 'legal hold needs a reason, an owner and a review date; the DPO sees all'],
  ['R-SEC-1', 'individual accounts, least privilege, second factor for roles that hear audio'],
  ['R-SEC-2', 'every sensitive action logged in an append-only, hash-chained access log'],
  ['R-SEC-3', 'the access log is never used to measure agents'],
  ['R-SEC-4', 'audio encrypted at rest with a key per recording wrapped by a master key'],
  ['R-SEC-5', 'downloads off by default; per role, logged, file carries the recording id'],
  ['R-DSR-1', 'find everything about a person by number, customer id, agent id, dates'],
  ['R-DSR-2', 'access returns the audio itself plus metadata, as an export package'],
  ['R-DSR-3', 'one-month deadline; extension with reason and notice; refusal reasons'],
  ['R-DSR-4', 'objection and erasure delete unless a compelling ground; rectification'],
  ['R-DOC-1', 'record of processing entry per policy (GDPR art. 30)'],
  ['R-DOC-2', 'DPIA pre-check; activation needs a DPIA reference when it applies'],
  ['R-DOC-3', 'employee notice, caller scripts and full notice in French and English'],
  ['R-DOC-4', 'compliance report for the DPO and the CSE'],
];

const root = new URL('..', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? files(p) : /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

export function coverageMarkdown(): string {
  const all = [...files(join(root, 'src')), ...files(join(root, 'test')), ...files(join(root, 'web/src'))];
  const texts = all.map((f) => ({ f: relative(root, f), text: readFileSync(f, 'utf8') }));
  const rows = RULES.map(([id, summary]) => {
    const re = new RegExp(`${id}(?!\\d)`);
    const hits = texts.filter((t) => re.test(t.text));
    const tests = hits.filter((t) => t.f.endsWith('.test.ts')).map((t) => `\`${t.f}\``);
    const code = hits
      .filter((t) => !t.f.endsWith('.test.ts') && !t.f.includes('/testing/'))
      .map((t) => `\`${t.f}\``);
    const status =
      code.length && tests.length
        ? 'enforced and tested'
        : code.length
          ? 'enforced, no test names it'
          : tests.length
            ? 'tested'
            : 'not yet';
    return `| ${id} | ${summary} | ${code.join('<br>') || '—'} | ${tests.join('<br>') || '—'} | ${status} |`;
  });
  return `# Rulebook coverage

Every rule of the rulebook, the files that enforce it and the tests that name it. Generated by
\`node --import tsx scripts/rulebook-coverage.ts\` from the sources themselves (the same search as
\`grep -r R-XXX-N src test web/src\`); \`test/rulebook-coverage.test.ts\` fails when it is stale. The
policy-engine details (which function checks which field) are in [policies.md](policies.md); the
error codes that carry each rule are in [errors.md](errors.md).

| rule | what it asks | enforced in | tested by | status |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  writeFileSync(join(root, 'docs/rulebook-coverage.md'), coverageMarkdown());
}
