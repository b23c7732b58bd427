import { defineErrors } from '../../errors.ts';

/** The DPO's policy routes (src/api/policies/). Violations of the rulebook keep the policy engine's codes. */
export const PolicyApiErrors = defineErrors({
  NO_SOURCE: {
    code: 'ECOUTE_POLICIES_NO_SOURCE',
    summary:
      'This node holds no policy source (it does not capture calls); activate on an ingest or all-in-one node.',
  },
  VERSION: {
    code: 'ECOUTE_POLICIES_VERSION',
    summary:
      'A changed policy must carry the next version number (stored versions are never edited, the decision of each recording names one).',
  },
  UNKNOWN: {
    code: 'ECOUTE_POLICIES_UNKNOWN',
    summary: 'No policy with this id is in force.',
  },
});
