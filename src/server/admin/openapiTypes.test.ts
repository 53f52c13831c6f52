import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adminApiTypes, OUT } from '../../../scripts/gen-admin-api-types.ts';

describe('the console is checked against the admin API document as it is', () => {
  it('src/server/console/admin-api.d.ts is what scripts/gen-admin-api-types.ts makes of openapi.ts (run it after changing the document)', async () => {
    expect(readFileSync(OUT, 'utf8')).toBe(await adminApiTypes());
  });
});
