import type { TradingGridPartners } from '../../connectors/tradinggrid/port.ts';
import type { PartnerFacts } from '../../core/intake.ts';
import type { Result } from '../../core/result.ts';
import { toPartnerFacts } from '../01-case-intake/mapTradingGrid.ts';

/** Partners change rarely and every case names one: remember them for a while instead of a call per case. */
export class PartnerCache {
  private readonly entries = new Map<string, { at: number; value: PartnerFacts }>();
  private readonly pending = new Map<string, Promise<Result<PartnerFacts>>>();

  constructor(
    private readonly tg: Pick<TradingGridPartners, 'getPartner'>,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  async get(id: string): Promise<Result<PartnerFacts>> {
    const hit = this.entries.get(id);
    if (hit && this.now() - hit.at < this.ttlMs) return { ok: true, value: hit.value };
    let p = this.pending.get(id);
    if (!p) {
      p = this.tg.getPartner(id).then((r) => {
        this.pending.delete(id);
        if (!r.ok) return r;
        const value = toPartnerFacts(r.value);
        this.entries.set(id, { at: this.now(), value });
        return { ok: true as const, value };
      });
      this.pending.set(id, p);
    }
    return p;
  }

  forget(id: string): void {
    this.entries.delete(id);
  }
}
