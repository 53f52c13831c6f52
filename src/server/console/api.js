// @ts-check
// The admin API from the browser: session cookie + the CSRF token on every change. Paths are written as the
// admin OpenAPI document names them ('/cases/{id}'), so each answer has the document's type (admin-api.d.ts).
/** @type {string | null} */
let csrf = null;

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** @param {unknown} data an answer's body: the API's `{ error }`, if it is one */
const errorOf = (data) =>
  data !== null && typeof data === 'object' && 'error' in data && typeof data.error === 'string' ? data.error : null;

/**
 * @param {'GET' | 'POST'} method
 * @param {string} path under /api
 * @param {unknown} [body] sent as JSON
 * @returns {Promise<unknown>} the answer's JSON (null for an empty body)
 */
async function call(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const r = await fetch(`/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  /** @type {unknown} */
  let data = null;
  try {
    data = await r.json();
  } catch {
    /* empty body */
  }
  if (!r.ok) throw new ApiError(r.status, errorOf(data) ?? `${method} ${path}: HTTP ${r.status}`);
  return data;
}

/**
 * The path with its `{name}` parts filled in (encoded), and the query if any.
 * @param {string} path
 * @param {import('./types').PathParams} [params]
 * @param {URLSearchParams} [query]
 */
function url(path, params = {}, query) {
  const filled = path.replace(/\{(\w+)\}/g, (_, name) => {
    const v = params[name];
    if (v === undefined) throw new Error(`${path}: no value for {${name}}`);
    return encodeURIComponent(String(v));
  });
  const qs = query?.toString();
  return qs ? `${filled}?${qs}` : filled;
}

export const api = {
  /**
   * GET a path of the admin document; the answer is typed as the document describes it (a test holds the API
   * to the document: src/server/admin/api.test.ts).
   * @template {import('./types').GetPath} P
   * @param {P} path
   * @param {{ params?: import('./types').PathParams, query?: URLSearchParams }} [o]
   * @returns {Promise<import('./types').Get<P>>}
   */
  get: async (path, o = {}) =>
    /** @type {import('./types').Get<P>} */ (await call('GET', url(path, o.params, o.query))),
  /**
   * POST to a path of the admin document, with the body it takes.
   * @template {import('./types').PostPath} P
   * @param {P} path
   * @param {{ params?: import('./types').PathParams, body?: import('./types').PostBody<P> }} [o]
   * @returns {Promise<import('./types').Post<P>>}
   */
  post: async (path, o = {}) =>
    /** @type {import('./types').Post<P>} */ (await call('POST', url(path, o.params), o.body)),
  /** @returns {Promise<import('./types').Session>} */
  async session() {
    const s = await api.get('/session');
    csrf = s.csrfToken;
    return s;
  },
  /**
   * @param {import('./types').PostBody<'/session'>} body
   * @returns {Promise<import('./types').Session>}
   */
  async signIn(body) {
    const s = await api.post('/session', { body });
    csrf = s.csrfToken;
    return s;
  },
  async signOut() {
    try {
      await call('POST', '/session/sign-out', {});
    } finally {
      csrf = null;
    }
  },
  // The partner channel's console routes (src/server/partnerPages/consoleApi.ts) are not in the admin document.
  /**
   * What a case's partner was sent, by channel, and the page links handed out.
   * @param {string} caseId
   * @returns {Promise<import('./types').PartnerSends>}
   */
  partnerSends: async (caseId) =>
    /** @type {import('./types').PartnerSends} */ (
      await call('GET', `/partner-channel/deliveries/case/${encodeURIComponent(caseId)}`)
    ),
  /** @param {string} jti the link's token id */
  revokePartnerLink: (jti) => call('POST', `/partner-channel/tokens/${encodeURIComponent(jti)}/revoke`),
};
