/** Pull `{error:{code,message}}` out of a Trading Grid error body for classifyHttpFailure. */
export function extractTradingGridError(body: unknown): { code?: string; message?: string } {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (!e || typeof e !== 'object') return {};
  return {
    code: typeof e.code === 'string' ? e.code : undefined,
    message: typeof e.message === 'string' ? e.message.slice(0, 200) : undefined,
  };
}
