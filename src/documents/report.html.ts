/** R-DOC-4: the compliance report as HTML, with inline SVG charts (a bar per agent, a timeline). */
import { esc, page, table } from './html.ts';
import type { Lang } from './i18n.ts';
import type { ComplianceData } from './report.data.ts';
import { R, isoDay, pct } from './report.labels.ts';

function agentBars(d: ComplianceData, lang: Lang): string {
  const rowH = 22;
  const w = 520;
  const left = 120;
  const max = Math.max(d.sampleRate * 2, ...d.agents.map((a) => a.rate), 0.01);
  const x = (v: number) => left + Math.round(((w - left - 60) * v) / max);
  const h = rowH * d.agents.length + 30;
  const bars = d.agents
    .map((a, i) => {
      const y = 10 + i * rowH;
      const over = a.rate > d.sampleRate * 2;
      return `<text x="${left - 6}" y="${y + 14}" text-anchor="end" font-size="12">${esc(a.agentId)}</text><rect x="${left}" y="${y}" width="${x(a.rate) - left}" height="${rowH - 6}" fill="${over ? '#c0392b' : '#2e86c1'}"/><text x="${x(a.rate) + 4}" y="${y + 14}" font-size="12">${esc(pct(a.rate))}</text>`;
    })
    .join('');
  const sx = x(d.sampleRate);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img" aria-label="${esc(R.rates[lang])}">${bars}<line x1="${sx}" y1="4" x2="${sx}" y2="${h - 18}" stroke="#333" stroke-dasharray="4 3"/><text x="${sx}" y="${h - 4}" font-size="11" text-anchor="middle">${esc(R.sample[lang])} ${esc(pct(d.sampleRate))}</text></svg>`;
}

function timeline(d: ComplianceData, lang: Lang): string {
  const w = 520;
  const h = 140;
  const n = Math.max(1, d.timeline.length);
  const max = Math.max(1, ...d.timeline.map((p) => Math.max(p.recorded, p.purged)));
  const step = (w - 40) / n;
  const y = (v: number) => h - 20 - Math.round(((h - 40) * v) / max);
  const pts = (f: (p: ComplianceData['timeline'][number]) => number) =>
    d.timeline.map((p, i) => `${Math.round(30 + i * step)},${y(f(p))}`).join(' ');
  const first = d.timeline[0]?.day ?? '';
  const last = d.timeline[d.timeline.length - 1]?.day ?? '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img" aria-label="${esc(R.timeline[lang])}"><line x1="30" y1="${h - 20}" x2="${w - 10}" y2="${h - 20}" stroke="#999"/><polyline fill="none" stroke="#2e86c1" stroke-width="2" points="${pts((p) => p.recorded)}"/><polyline fill="none" stroke="#c0392b" stroke-width="2" points="${pts((p) => p.purged)}"/><text x="30" y="${h - 4}" font-size="11">${esc(first)}</text><text x="${w - 10}" y="${h - 4}" font-size="11" text-anchor="end">${esc(last)}</text><text x="30" y="12" font-size="11" fill="#2e86c1">${esc(R.recorded[lang])}</text><text x="120" y="12" font-size="11" fill="#c0392b">${esc(R.purges[lang])}</text></svg>`;
}

export function complianceHtml(d: ComplianceData, lang: Lang): string {
  const none = R.noneRow[lang];
  const body = [
    `<p>${esc(d.organisation)} — ${esc(R.period[lang])} : ${esc(isoDay(d.from))} → ${esc(isoDay(d.to - 1))}</p>`,
    `<h2>${esc(R.rates[lang])}</h2>`,
    agentBars(d, lang),
    table(
      [R.agent[lang], R.calls[lang], R.recorded[lang], R.rate[lang]],
      d.agents.map((a) => [a.agentId, a.calls, a.recorded, pct(a.rate)]),
    ),
    `<h2>${esc(R.decisions[lang])}</h2>`,
    table(
      [R.reason[lang], R.count[lang]],
      d.decisions.length ? d.decisions.map((x) => [x.reason, x.count]) : [[none, 0]],
    ),
    `<h2>${esc(R.objections[lang])}</h2>`,
    `<p>${d.objections.duringCall} ${esc(R.duringCall[lang])} ; ${d.objections.oppositionList} ${esc(R.oppositionList[lang])}</p>`,
    `<h2>${esc(R.notices[lang])}</h2>`,
    `<p>${d.notices.acknowledged}/${d.notices.agents} ${esc(R.acknowledged[lang])} (v${d.notices.employeeVersion}). ${esc(R.callerNotice[lang])} : v${d.notices.callerVersion}</p>`,
    `<h2>${esc(R.purges[lang])}</h2>`,
    table(
      [R.reason[lang], R.done[lang]],
      d.purges.done.length ? d.purges.done.map((p) => [p.rule, p.count]) : [[none, 0]],
    ),
    `<p>${d.purges.dueNext30Days} ${esc(R.due[lang])}</p>`,
    `<h2>${esc(R.holds[lang])}</h2>`,
    table(
      [R.holds[lang], R.owner[lang], R.review[lang]],
      d.holds.length
        ? d.holds.map((h) => [
            h.id,
            h.owner,
            `${isoDay(h.reviewAt)}${h.overdue ? ` ${R.overdue[lang]}` : ''}`,
          ])
        : [[none, '', '']],
    ),
    `<h2>${esc(R.integrity[lang])}</h2>`,
    `<p${d.integrity.ok ? '' : ' class="warn"'}>${esc(d.integrity.ok ? R.intact[lang] : R.broken[lang])} — ${d.integrity.count} ${esc(R.entries[lang])}${d.integrity.reason ? ` (${esc(d.integrity.reason)})` : ''}</p>`,
    `<h2>${esc(R.requests[lang])}</h2>`,
    table(
      [R.kind[lang], R.deadline[lang]],
      d.requests.length
        ? d.requests.map((r) => [r.kind, `${isoDay(r.deadline)}${r.overdue ? ` ${R.overdue[lang]}` : ''}`])
        : [[none, '']],
    ),
    `<h2>${esc(R.timeline[lang])}</h2>`,
    timeline(d, lang),
  ].join('\n');
  return page(lang, `${R.title[lang]} — ${d.organisation}`, body);
}
