// @ts-check
// The admin API from the browser: session cookie + the CSRF token on every change.
let csrf = null;

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const r = await fetch(`/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  let data = null;
  try {
    data = await r.json();
  } catch {
    /* empty body */
  }
  if (!r.ok) throw new ApiError(r.status, data?.error ?? `${method} ${path}: HTTP ${r.status}`);
  return data;
}

export const api = {
  get: (p) => call('GET', p),
  post: (p, body) => call('POST', p, body),
  /** @returns {Promise<import('./types').Session>} */
  async session() {
    const s = await call('GET', '/session');
    csrf = s.csrfToken;
    return s;
  },
  /** @returns {Promise<import('./types').Session>} */
  async signIn(body) {
    const s = await call('POST', '/session', body);
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
};
