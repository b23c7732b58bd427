/** The catalogue of generated documents by name (for the CLI and the API). */
import { fail } from '../errors.ts';
import type { PolicyFile } from '../policy/policy.types.ts';
import { DocumentsErrors } from './errors.ts';
import { LANGS, type Lang } from './i18n.ts';
import { callerScripts, employeeNotice, fullNotice, type DocumentOptions } from './notices.ts';
import { cseFile, dpiaPrecheck, recordOfProcessing } from './registry.ts';

export const DOCUMENTS = [
  'employee-notice',
  'caller-scripts',
  'full-notice',
  'record-of-processing',
  'dpia-precheck',
  'cse-file',
] as const;
export type DocumentName = (typeof DOCUMENTS)[number];

export interface RenderedDocument {
  readonly contentType: 'text/html; charset=utf-8' | 'text/plain; charset=utf-8';
  readonly extension: 'html' | 'txt';
  readonly body: string;
}

export function isLang(x: string): x is Lang {
  return (LANGS as readonly string[]).includes(x);
}

export function renderDocument(
  name: string,
  lang: string,
  file: PolicyFile,
  o: DocumentOptions,
): RenderedDocument {
  if (!isLang(lang) || !(DOCUMENTS as readonly string[]).includes(name))
    throw fail(DocumentsErrors.UNKNOWN_DOCUMENT, `no document ${name} in ${lang}`, { name, lang });
  const html = (body: string): RenderedDocument => ({
    contentType: 'text/html; charset=utf-8',
    extension: 'html',
    body,
  });
  switch (name as DocumentName) {
    case 'employee-notice':
      return html(employeeNotice(file, lang, o));
    case 'caller-scripts':
      return { contentType: 'text/plain; charset=utf-8', extension: 'txt', body: callerScripts(file, lang) };
    case 'full-notice':
      return html(fullNotice(file, lang, o));
    case 'record-of-processing':
      return html(recordOfProcessing(file, lang, o));
    case 'dpia-precheck':
      return html(dpiaPrecheck(file, lang));
    case 'cse-file':
      return html(cseFile(file, lang, o));
  }
}
