import type { TradingGridEvent } from '../connectors/tradinggrid/events.ts';

/** Jobs touching one case (or request, partner, notice) run in order; the key names that resource. */
export function tgQueueKey(ev: TradingGridEvent): string | null {
  switch (ev.type) {
    case 'case.opened':
    case 'case.updated':
      return `case:${ev.data.id}`;
    case 'case.comment_added':
      return `case:${ev.data.case_id}`;
    case 'document.added':
      return ev.data.case_id ? `case:${ev.data.case_id}` : ev.data.request_id ? `request:${ev.data.request_id}` : null;
    case 'request.created':
      return `request:${ev.data.id}`;
    case 'trading_partner.created':
    case 'trading_partner.status_changed':
      return `partner:${ev.data.id}`;
    case 'notice.acknowledged':
      return `notice:${ev.data.id}`;
    default:
      return null;
  }
}
