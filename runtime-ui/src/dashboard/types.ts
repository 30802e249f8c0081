/** The analytics API's answers, typed from the same JSON Schemas the server validates them with. */
import type { FromSchema } from 'json-schema-to-ts';
import type {
  actionComparisonResponse,
  actionSchema,
  backlogResponse,
  incompleteResponse,
  mixResponse,
  nodesResponse,
  peopleResponse,
  pilotResponse,
  qualityResponse,
  reviewResponse,
  satisfactionResponse,
  slaResponse,
  targetsResponse,
} from '../../../schemas/analytics.ts';
import type { definitionSchema } from '../../../schemas/api.ts';

export type NodesReport = FromSchema<typeof nodesResponse>;
export type SlaReport = FromSchema<typeof slaResponse>;
export type BacklogReport = FromSchema<typeof backlogResponse>;
export type QualityReport = FromSchema<typeof qualityResponse>;
export type SatisfactionReport = FromSchema<typeof satisfactionResponse>;
export type MixReport = FromSchema<typeof mixResponse>;
export type PeopleReport = FromSchema<typeof peopleResponse>;
export type TargetsReport = FromSchema<typeof targetsResponse>;
export type IncompleteReport = FromSchema<typeof incompleteResponse>;
export type Definition = FromSchema<typeof definitionSchema>;
export type PilotReport = FromSchema<typeof pilotResponse>;
export type Comparison = PilotReport['comparison'];
export type OptimisationAction = FromSchema<typeof actionSchema>;
export type ActionComparison = FromSchema<typeof actionComparisonResponse>;
export type WeeklyReview = FromSchema<typeof reviewResponse>;
