/**
 * A content type as it may go into a header we write (a multipart part, a mail attachment): the bare
 * `type/subtype`, lower case, parameters dropped. null when it is not one: CR/LF or any other control
 * character, spaces inside, missing subtype, non-token characters (a partner's content type must never
 * add a header line or end a multipart part).
 */
const TOKEN = "[!#$%&'*+.^_`|~0-9a-z-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}$`);

export function mediaType(raw: string | undefined | null): string | null {
  if (typeof raw !== 'string') return null;
  // Refuse before trimming: a CR or LF anywhere is an injection attempt, not whitespace to tidy.
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(raw)) return null;
  const bare = raw.split(';')[0]!.trim().toLowerCase();
  return bare.length <= 255 && MEDIA_TYPE.test(bare) ? bare : null;
}
