/**
 * RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) into rows of named fields. The separator is
 * a comma, or a semicolon when the header line has semicolons and no comma (European spreadsheets). Pure.
 */
export function parseCsv(text: string): { header: string[]; rows: Record<string, string>[] } {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const sep = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // Excel's BOM
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === sep) {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i++;
      record.push(field);
      if (record.some((f) => f !== '')) records.push(record);
      field = '';
      record = [];
    } else field += ch;
  }
  record.push(field);
  if (record.some((f) => f !== '')) records.push(record);
  const header = (records.shift() ?? []).map((h) => h.trim());
  const rows = records.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
  return { header, rows };
}
