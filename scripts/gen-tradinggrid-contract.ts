// Writes docs/tradinggrid-contract.openapi.json from the zod schemas (src/connectors/tradinggrid/contract.ts).
// contract.test.ts fails while the committed file differs from what this generates.
import { writeFile } from 'node:fs/promises';
import { tradingGridContractDocument } from '../src/connectors/tradinggrid/contract.ts';

const out = new URL('../docs/tradinggrid-contract.openapi.json', import.meta.url);
await writeFile(out, `${JSON.stringify(tradingGridContractDocument(), null, 2)}\n`);
console.log(`wrote ${out.pathname}`);
