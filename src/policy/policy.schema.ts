/**
 * The published JSON Schema (draft 2020-12) of a policy file: the structural contract. It is written to
 * schema/policy.schema.json by `ecoute policy schema > schema/policy.schema.json`, and a test keeps both in
 * sync. Rule-bound presence (staff consultation, objection key, campaign dates, legal reference, …) is
 * deliberately left to the rule checks, so that a missing field is reported with its R- id.
 */
import {
  FIRST_LEVEL_ITEMS,
  JURISDICTIONS,
  LEGAL_BASES,
  LEGAL_REFERENCE_IDS,
  PURPOSES,
  ROLES,
  TRIGGERS,
} from './policy.types.ts';
import { DIRECTIONS } from './call-facts.ts';

const text = { type: 'string', minLength: 1 } as const;
const texts = { type: 'array', items: text } as const;
const dateOrInstant = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2}))?$',
} as const;
const days = { type: 'integer', minimum: 0 } as const;
const obj = (properties: Record<string, unknown>, required: string[] = []) =>
  ({ type: 'object', additionalProperties: false, properties, required }) as const;

const policy = obj(
  {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' },
    version: { type: 'integer', minimum: 1, default: 1 },
    purposes: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...PURPOSES] } },
    legalBasis: { enum: [...LEGAL_BASES] },
    legitimateInterest: text,
    scope: obj(
      {
        teams: { ...texts, default: [] },
        queues: { ...texts, default: [] },
        directions: { type: 'array', items: { enum: [...DIRECTIONS] }, default: ['inbound', 'outbound'] },
      },
      [],
    ),
    sampling: obj(
      {
        rate: { type: 'number', minimum: 0, maximum: 1 },
        maxPerAgentPerDay: { type: 'integer', minimum: 1 },
      },
      ['rate'],
    ),
    samplingJustification: text,
    campaign: obj({ startsAt: dateOrInstant, endsAt: dateOrInstant }, ['startsAt', 'endsAt']),
    liveListening: { type: 'boolean', default: false },
    screenVideo: { type: 'boolean', default: false },
    screenVideoApplication: text,
    screenshots: { type: 'boolean', default: false },
    cameraRecording: { type: 'boolean', default: false },
    retention: obj({ recordingDays: { ...days, minimum: 1 }, analysisDays: days }, [
      'recordingDays',
      'analysisDays',
    ]),
    reviewWindowDays: { type: 'integer', minimum: 1 },
    necessity: { type: 'string', default: '' },
    alternativesConsidered: { ...texts, default: [] },
    legalReference: { enum: [...LEGAL_REFERENCE_IDS] },
    attestation: text,
    trigger: { enum: [...TRIGGERS] },
    contractProof: obj(
      {
        oralContractAllowed: { type: 'boolean' },
        noOtherProof: { type: 'boolean' },
        canvassing: { type: 'boolean' },
      },
      ['oralContractAllowed', 'noOtherProof', 'canvassing'],
    ),
    dpiaReference: text,
    agentsMayListenToOwn: { type: 'boolean', default: false },
    downloadRoles: { type: 'array', uniqueItems: true, items: { enum: [...ROLES] }, default: [] },
  },
  ['id', 'purposes', 'legalBasis', 'scope', 'sampling', 'retention'],
);

export const policySchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://ecoute.example/schema/policy.schema.json',
  title: 'Ecoute policy file',
  description:
    'Organisation, notices and recording policies; rules in RULEBOOK.md, fields in docs/policies.md.',
  ...obj(
    {
      $schema: { type: 'string' },
      jurisdiction: { enum: [...JURISDICTIONS], default: 'FR' },
      organisation: obj(
        {
          controller: obj({ name: text, address: text, contact: text }, ['name', 'address', 'contact']),
          dpo: obj({ name: text, contact: text }, ['name', 'contact']),
          staffConsultation: {
            oneOf: [
              obj({ date: dateOrInstant, reference: text }, ['date', 'reference']),
              obj({ none: { const: true }, reason: text }, ['none', 'reason']),
            ],
          },
          recipients: texts,
          transfers: text,
          maxCampaignDays: { type: 'integer', minimum: 1, maximum: 366, default: 31 },
          timeZone: { type: 'string', minLength: 1, default: 'Europe/Paris' },
        },
        ['controller', 'dpo'],
      ),
      notices: obj(
        {
          employee: obj({ version: { type: 'integer', minimum: 1 }, url: text }, ['version', 'url']),
          caller: obj(
            {
              version: { type: 'integer', minimum: 1 },
              firstLevelText: obj({ fr: text, en: text }, ['fr', 'en']),
              fullNoticeUrl: text,
              objectionKey: { type: 'string', pattern: '^[0-9*#]$' },
              firstLevelItems: {
                type: 'array',
                uniqueItems: true,
                items: { enum: [...FIRST_LEVEL_ITEMS] },
                default: ['recording', 'purposes', 'controller', 'objection'],
              },
            },
            ['version', 'firstLevelText'],
          ),
        },
        ['employee', 'caller'],
      ),
      policies: { type: 'array', items: policy },
    },
    ['organisation', 'notices', 'policies'],
  ),
} as const;
