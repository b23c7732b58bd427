import type { FastifyPluginAsync } from 'fastify';
import { fail } from '../../errors.ts';
import { DOCUMENTS, isLang, renderDocument } from '../../documents/documents.ts';
import { DocumentsErrors } from '../../documents/errors.ts';
import { esc, page } from '../../documents/html.ts';
import type { DocumentOptions } from '../../documents/notices.ts';
import { employeeNotice, fullNotice } from '../../documents/notices.ts';
import type { ComplianceData } from '../../documents/report.data.ts';
import { complianceHtml } from '../../documents/report.html.ts';
import { compliancePdf } from '../../documents/report.pdf.ts';
import type { PolicyFile } from '../../policy/policy.types.ts';
import type { AckService } from '../../rights/ack.ts';
import { errors } from '../schemas.ts';

export interface DocumentsRoutesDeps {
  /** The active policy file (validated). */
  readonly policyFile: () => Promise<PolicyFile>;
  readonly options: DocumentOptions;
  readonly acks: AckService;
  /** Gathers the report's figures for [from, to) (report.data.ts `gatherCompliance`). */
  readonly compliance: (from: number, to: number) => Promise<ComplianceData>;
}

const html = { 200: { type: 'string' }, ...errors } as const;
const langParam = {
  type: 'object',
  properties: { lang: { type: 'string', enum: ['fr', 'en'] } },
  required: ['lang'],
} as const;

function lang(x: string): 'fr' | 'en' {
  if (!isLang(x)) throw fail(DocumentsErrors.UNKNOWN_DOCUMENT, `no language ${x}`);
  return x;
}

/**
 * Generated documents (R-DOC-1..4, R-EMP-1): the full notice is public at /notice/:lang (R-CAL-3, the URL
 * the caller message points to); agents acknowledge the employee notice on /ack/:token (R-EMP-2).
 */
export const documentsRoutes =
  (deps: DocumentsRoutesDeps): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    app.get<{ Params: { lang: string } }>(
      '/notice/:lang',
      { config: { access: 'public' }, schema: { tags: ['documents'], params: langParam, response: html } },
      async (req, reply) =>
        reply
          .type('text/html; charset=utf-8')
          .send(fullNotice(await deps.policyFile(), lang(req.params.lang), deps.options)),
    );

    app.get<{ Params: { name: string }; Querystring: { lang?: string } }>(
      '/api/documents/:name',
      {
        config: { access: 'read_metadata' },
        schema: {
          tags: ['documents'],
          params: {
            type: 'object',
            properties: { name: { type: 'string', enum: [...DOCUMENTS] } },
            required: ['name'],
          },
          querystring: { type: 'object', properties: { lang: { type: 'string', enum: ['fr', 'en'] } } },
          response: html,
        },
      },
      async (req, reply) => {
        const doc = renderDocument(
          req.params.name,
          req.query.lang ?? 'fr',
          await deps.policyFile(),
          deps.options,
        );
        return reply.type(doc.contentType).send(doc.body);
      },
    );

    app.get<{ Querystring: { from: string; to: string; lang?: string; format?: 'html' | 'pdf' } }>(
      '/api/reports/compliance',
      {
        config: { access: 'audit_read' },
        schema: {
          tags: ['documents'],
          querystring: {
            type: 'object',
            properties: {
              from: { type: 'string', format: 'date' },
              to: { type: 'string', format: 'date' },
              lang: { type: 'string', enum: ['fr', 'en'] },
              format: { type: 'string', enum: ['html', 'pdf'] },
            },
            required: ['from', 'to'],
          },
          response: html,
        },
      },
      async (req, reply) => {
        const q = req.query;
        const data = await deps.compliance(
          Date.parse(`${q.from}T00:00:00Z`),
          Date.parse(`${q.to}T00:00:00Z`) + 86_400_000,
        );
        const l = lang(q.lang ?? 'fr');
        if (q.format === 'pdf') return reply.type('application/pdf').send(await compliancePdf(data, l));
        return reply.type('text/html; charset=utf-8').send(complianceHtml(data, l));
      },
    );

    app.get<{ Params: { token: string } }>(
      '/ack/:token',
      {
        config: { access: 'public' },
        schema: {
          tags: ['documents'],
          params: { type: 'object', properties: { token: { type: 'string', maxLength: 512 } } },
          response: html,
        },
      },
      async (req, reply) => {
        const claims = deps.acks.read(req.params.token);
        const notice = employeeNotice(await deps.policyFile(), 'fr', deps.options);
        const form = claims.current
          ? `<form method="post"><button type="submit">J’ai lu et compris cette note (version ${claims.version}) / I have read this notice</button></form>`
          : `<p class="warn">${esc('Ce lien concerne une version remplacée de la note. / This link is for a superseded version.')}</p>`;
        return reply.type('text/html; charset=utf-8').send(notice.replace('</body>', `${form}\n</body>`));
      },
    );

    app.post<{ Params: { token: string } }>(
      '/ack/:token',
      {
        config: { access: 'public' },
        schema: {
          tags: ['documents'],
          params: { type: 'object', properties: { token: { type: 'string', maxLength: 512 } } },
          response: html,
        },
      },
      async (req, reply) => {
        const agent = await deps.acks.acknowledge(req.params.token);
        const body = `<p>${esc(`Merci : accusé de réception enregistré pour la version ${agent.noticeVersion ?? ''}. / Thank you: acknowledgement recorded.`)}</p>`;
        return reply
          .type('text/html; charset=utf-8')
          .send(page('fr', 'Accusé de réception / Acknowledgement', body));
      },
    );
  };
