export { parsePeriod, parsePeriodOrThrow, periodOf, periodRange, type Period, type PeriodKind } from './period.ts';
export { quantileFromRanks, quantileRanks, quantileSorted } from './quantile.ts';
export {
  computeScorecards,
  scorecardsFromAggregates,
  type PartnerAggregate,
  ScorecardAccumulator,
  scorecardWindow,
  toTradingGridScorecard,
  type CaseMetricRow,
  type PartnerScorecard,
  type ScorecardWindow,
  type TradingGridScorecard,
} from './scorecard.ts';
export { renderScorecardCsv } from './scorecardCsv.ts';
