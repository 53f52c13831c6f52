import type { Money } from '../../../../core/case.ts';
import type { RouteTo, RoutingMatch, RoutingRules } from './routingRules.ts';

/** What routing looks at. `kind` may be the case kind; `exception` (EDI-derived cases) is tried as a kind too. */
export interface RoutingFacts {
  kind: string;
  exception?: string | null;
  tier?: string | null;
  category?: string | null;
  value?: Money | null;
}

export interface RouteDecision {
  ruleIndex: number;
  routeTo: RouteTo;
  /** Why this rule: for the escalation task's description and the console. */
  explanation: string;
}

/** First matching rule wins; the schema guarantees the last rule matches everything. */
export function routeCase(facts: RoutingFacts, rules: RoutingRules): RouteDecision {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const reasons = matchReasons(facts, rule.match);
    if (reasons === undefined) continue;
    const label = `rules[${i}]${rule.name ? ` "${rule.name}"` : ''}`;
    const explanation =
      reasons.length === 0
        ? `${label}: default, no earlier rule matched (${i} checked)`
        : `${label}: ${reasons.join('; ')}`;
    return { ruleIndex: i, routeTo: rule.route_to, explanation };
  }
  // Unreachable with a validated table; a bug if hit.
  throw new Error('routeCase: routing rules have no default rule (validate them with routingRulesSchema)');
}

/** Undefined when the rule does not match; otherwise the human reasons it did (empty for a catch-all). */
function matchReasons(f: RoutingFacts, m: RoutingMatch): string[] | undefined {
  const reasons: string[] = [];
  if (m.kind) {
    const hit = [f.exception, f.kind].find((k): k is string => !!k && m.kind!.includes(k));
    if (!hit) return undefined;
    reasons.push(`kind ${hit} in [${m.kind.join(', ')}]`);
  }
  if (m.tier) {
    if (!f.tier || !(m.tier as readonly string[]).includes(f.tier)) return undefined;
    reasons.push(`tier ${f.tier} in [${m.tier.join(', ')}]`);
  }
  if (m.category) {
    if (!f.category || !m.category.includes(f.category)) return undefined;
    reasons.push(`category ${f.category} in [${m.category.join(', ')}]`);
  }
  if (m.currency !== undefined || m.value_min !== undefined || m.value_max !== undefined) {
    const v = f.value;
    if (!v) return undefined;
    if (m.currency !== undefined && v.currency.toUpperCase() !== m.currency) return undefined;
    if (m.value_min !== undefined && v.amount < m.value_min) return undefined;
    if (m.value_max !== undefined && v.amount >= m.value_max) return undefined;
    const range =
      m.value_min !== undefined || m.value_max !== undefined ? ` in [${m.value_min ?? 0}, ${m.value_max ?? '∞'})` : '';
    reasons.push(`value ${v.amount} ${v.currency.toUpperCase()}${range}`);
  }
  return reasons;
}
