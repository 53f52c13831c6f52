import type { z } from 'zod';
import { err, ok, type Result } from '../../core/result.ts';

/** Validates a ClickUp answer at the edge; a shape we cannot use is a retryable bad_response. */
export function parseResponse<S extends z.ZodType>(schema: S, where: string, r: Result<unknown>): Result<z.output<S>> {
  if (!r.ok) return r;
  const p = schema.safeParse(r.value);
  if (p.success) return ok(p.data);
  const issue = p.error.issues[0];
  return err({
    code: 'clickup:bad_response',
    retryable: false,
    detail: `${where}: unexpected answer shape (${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'})`,
  });
}
