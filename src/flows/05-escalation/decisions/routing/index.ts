export { EDI_EXCEPTION_KINDS, isRuleKind, RULE_KINDS } from './caseKinds.ts';
export { routeCase, type RouteDecision, type RoutingFacts } from './routeCase.ts';
export {
  isCatchAll,
  routeToSchema,
  routingMatchSchema,
  routingRuleSchema,
  routingRulesSchema,
  type RouteTo,
  type RoutingMatch,
  type RoutingRule,
  type RoutingRules,
} from './routingRules.ts';
export {
  caseCategoriesSchema,
  categorizeCase,
  unknownRuleCategories,
  type CaseCategories,
  type CaseCategory,
  type CategoryFacts,
} from './caseCategories.ts';
