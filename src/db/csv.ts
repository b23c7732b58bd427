/**
 * A small RFC 4180 CSV parser: quoted fields with `""` escapes, commas and line breaks inside quotes,
 * CRLF or LF record ends, optional UTF-8 BOM. Pure: text in, rows (with their starting line) or a typed
 * error out.
 */
import { fail } from '../errors.ts';
import { AgentsErrors } from './errors.ts';

export interface CsvRow {
  /** 1-based line where the record starts (records may span lines inside quotes). */
  readonly line: number;
  readonly fields: readonly string[];
}

export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let fields: string[] = [];
  let field = '';
  let recordLine = 1;
  let quoted = false;
  let wasQuoted = false;
  const endField = () => {
    fields.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    // A blank line is not a record (a trailing newline is common).
    if (!(fields.length === 1 && fields[0] === '')) rows.push({ line: recordLine, fields });
    fields = [];
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      if (field !== '' || wasQuoted)
        throw fail(
          AgentsErrors.CSV_INVALID,
          `line ${line}, column ${fields.length + 1}: stray quote in an unquoted field`,
          {
            line,
            column: fields.length + 1,
          },
        );
      quoted = true;
      wasQuoted = true;
    } else if (c === ',') endField();
    else if (c === '\r' && text[i + 1] === '\n') {
      // CRLF: the LF ends the record.
    } else if (c === '\n') {
      endRecord();
      line++;
      recordLine = line;
    } else {
      if (wasQuoted)
        throw fail(
          AgentsErrors.CSV_INVALID,
          `line ${line}, column ${fields.length + 1}: text after a closing quote`,
          {
            line,
            column: fields.length + 1,
          },
        );
      field += c;
    }
  }
  if (quoted)
    throw fail(
      AgentsErrors.CSV_INVALID,
      `line ${recordLine}: a quoted field is not closed before the end of the file`,
      {
        line: recordLine,
      },
    );
  if (field !== '' || wasQuoted || fields.length > 0) endRecord();
  return rows;
}
