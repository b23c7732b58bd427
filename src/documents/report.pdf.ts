/** R-DOC-4: the compliance report as PDF (pdfkit), charts drawn with vector graphics. */
import PDFDocument from 'pdfkit';
import type { Lang } from './i18n.ts';
import type { ComplianceData } from './report.data.ts';
import { R, isoDay, pct } from './report.labels.ts';

type Doc = InstanceType<typeof PDFDocument>;

function heading(doc: Doc, text: string): void {
  if (doc.y > 720) doc.addPage();
  doc
    .moveDown(0.8)
    .font('Helvetica-Bold')
    .fontSize(13)
    .fillColor('#000')
    .text(text)
    .font('Helvetica')
    .fontSize(10)
    .moveDown(0.3);
}

function agentBars(doc: Doc, d: ComplianceData): void {
  const left = 150;
  const width = 330;
  const rowH = 16;
  const max = Math.max(d.sampleRate * 2, ...d.agents.map((a) => a.rate), 0.01);
  const top = doc.y;
  d.agents.forEach((a, i) => {
    const y = top + i * rowH;
    const w = (width * a.rate) / max;
    doc
      .fillColor('#000')
      .fontSize(9)
      .text(a.agentId, 50, y + 2, { width: left - 60, align: 'right' });
    doc.rect(left, y, Math.max(0.5, w), rowH - 4).fill(a.rate > d.sampleRate * 2 ? '#c0392b' : '#2e86c1');
    doc.fillColor('#000').text(`${pct(a.rate)} (${a.recorded}/${a.calls})`, left + w + 4, y + 2);
  });
  const sx = left + (width * d.sampleRate) / max;
  const bottom = top + d.agents.length * rowH;
  doc
    .moveTo(sx, top - 2)
    .lineTo(sx, bottom)
    .dash(3, { space: 2 })
    .strokeColor('#333')
    .stroke()
    .undash();
  doc.fontSize(8).text(`sample ${pct(d.sampleRate)}`, sx - 30, bottom + 2, { width: 80 });
  doc.x = 50;
  doc.y = bottom + 16;
}

function timeline(doc: Doc, d: ComplianceData): void {
  if (doc.y > 640) doc.addPage();
  const left = 60;
  const width = 470;
  const height = 100;
  const top = doc.y;
  const max = Math.max(1, ...d.timeline.map((p) => Math.max(p.recorded, p.purged)));
  const n = Math.max(1, d.timeline.length - 1);
  const y = (v: number) => top + height - (height * v) / max;
  doc
    .moveTo(left, top + height)
    .lineTo(left + width, top + height)
    .strokeColor('#999')
    .stroke();
  for (const [key, color] of [
    ['recorded', '#2e86c1'],
    ['purged', '#c0392b'],
  ] as const) {
    d.timeline.forEach((p, i) => {
      const px = left + (width * i) / n;
      if (i === 0) doc.moveTo(px, y(p[key]));
      else doc.lineTo(px, y(p[key]));
    });
    doc.strokeColor(color).lineWidth(1.5).stroke().lineWidth(1);
  }
  doc.fillColor('#000').fontSize(8);
  doc.text(d.timeline[0]?.day ?? '', left, top + height + 3);
  doc.text(d.timeline[d.timeline.length - 1]?.day ?? '', left + width - 60, top + height + 3, {
    width: 60,
    align: 'right',
  });
  doc.x = 50;
  doc.y = top + height + 20;
}

const line = (doc: Doc, text: string): void => void doc.fillColor('#000').fontSize(10).text(text, 50);

export function compliancePdf(d: ComplianceData, lang: Lang): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `${R.title[lang]} — ${d.organisation}` },
  });
  const parts: Buffer[] = [];
  doc.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(parts)));
    doc.on('error', reject);
  });
  const none = R.noneRow[lang];
  doc.font('Helvetica-Bold').fontSize(18).text(`${R.title[lang]} — ${d.organisation}`);
  doc
    .font('Helvetica')
    .fontSize(10)
    .text(`${R.period[lang]}: ${isoDay(d.from)} – ${isoDay(d.to - 1)}`);
  heading(doc, R.rates[lang]);
  agentBars(doc, d);
  heading(doc, R.decisions[lang]);
  if (d.decisions.length === 0) line(doc, none);
  for (const x of d.decisions) line(doc, `${x.reason}: ${x.count}`);
  heading(doc, R.objections[lang]);
  line(
    doc,
    `${d.objections.duringCall} ${R.duringCall[lang]}; ${d.objections.oppositionList} ${R.oppositionList[lang]}`,
  );
  heading(doc, R.notices[lang]);
  line(
    doc,
    `${d.notices.acknowledged}/${d.notices.agents} ${R.acknowledged[lang]} (v${d.notices.employeeVersion})`,
  );
  line(doc, `${R.callerNotice[lang]}: v${d.notices.callerVersion}`);
  heading(doc, R.purges[lang]);
  for (const p of d.purges.done) line(doc, `${p.rule}: ${p.count} ${R.done[lang]}`);
  line(doc, `${d.purges.dueNext30Days} ${R.due[lang]}`);
  heading(doc, R.holds[lang]);
  if (d.holds.length === 0) line(doc, none);
  for (const h of d.holds)
    line(
      doc,
      `${h.id} — ${h.owner} — ${R.review[lang]} ${isoDay(h.reviewAt)}${h.overdue ? ` ${R.overdue[lang]}` : ''}`,
    );
  heading(doc, R.integrity[lang]);
  line(
    doc,
    `${d.integrity.ok ? R.intact[lang] : R.broken[lang]} — ${d.integrity.count} ${R.entries[lang]}${d.integrity.reason ? ` (${d.integrity.reason})` : ''}`,
  );
  heading(doc, R.requests[lang]);
  if (d.requests.length === 0) line(doc, none);
  for (const r of d.requests)
    line(
      doc,
      `${r.kind} — ${R.deadline[lang]} ${isoDay(r.deadline)}${r.overdue ? ` ${R.overdue[lang]}` : ''}`,
    );
  heading(doc, R.timeline[lang]);
  timeline(doc, d);
  doc.end();
  return done;
}
