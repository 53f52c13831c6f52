/** A file that cannot be read as EDI: where (byte offset in the whole file, segment number) and what was expected. */
export class EdiSyntaxError extends Error {
  constructor(
    readonly position: number,
    readonly segment: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`at byte ${position} (segment ${segment}): expected ${expected}, found ${found}`);
    this.name = 'EdiSyntaxError';
  }
}

/** Shows at most 20 characters of what was found, with control characters made visible. */
export function shown(text: string): string {
  if (text.length === 0) return 'end of file';
  const cut = text.length > 20 ? `${text.slice(0, 20)}…` : text;
  return JSON.stringify(cut);
}
