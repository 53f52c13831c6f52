export { computeSla, type SlaCaseFacts, type SlaClockOptions, type SlaResult, type SlaState } from './computeSla.ts';
export {
  decideSlaActions,
  type AlreadyDone,
  type SlaIntent,
  type SlaSweepCase,
  type SlaSweepInput,
} from './decideSlaActions.ts';
export { decideFaOverdue, type FaOverdueDecision, type FaWatch } from './faOverdue.ts';
export {
  escalationLevelSchema,
  levelShare,
  selectSlaPolicy,
  slaConfigSchema,
  slaPolicyOverrideSchema,
  slaPolicySchema,
  type EscalationLevel,
  type PolicyChoice,
  type SlaConfig,
  type SlaConfigInput,
  type SlaPolicy,
  type SlaPolicyOverride,
  type SlaSubject,
} from './slaPolicy.ts';
