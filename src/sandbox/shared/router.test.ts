import { describe, expect, it } from 'vitest';
import { Router, splitUrl } from './router.ts';

describe('the sandboxes’ router', () => {
  const r = new Router<string>()
    .add('GET', '/cases/{id}', 'case')
    .add('GET', '/cases/open', 'never: the template above was added first')
    .add('POST', '/cases/{id}/status', 'status')
    .add('GET', '/tenants/{tenant}/x/{id}', 'two');

  it('matches `{name}` segments and decodes them', () => {
    const m = r.match('GET', '/cases/CASE%2F1');
    expect(m.route?.handler).toBe('case');
    expect(m.route?.name).toBe('GET /cases/{id}');
    expect(m.route && m.params).toEqual({ id: 'CASE/1' });
    expect(r.match('GET', '/tenants/t1/x/9/').route && r.match('GET', '/tenants/t1/x/9/')).toMatchObject({
      params: { tenant: 't1', id: '9' },
    });
  });

  it('takes the first route added when two match', () => {
    expect(r.match('GET', '/cases/open').route?.handler).toBe('case');
  });

  it('tells a path of another method (405) from no route (404)', () => {
    expect(r.match('PUT', '/cases/1/status')).toEqual({ route: undefined, methodNotAllowed: true });
    expect(r.match('GET', '/cases/1/comments')).toEqual({ route: undefined, methodNotAllowed: false });
    expect(r.match('GET', '/cases')).toEqual({ route: undefined, methodNotAllowed: false });
  });

  it('matches no `{name}` with a segment that is not valid percent-encoding', () => {
    expect(r.match('GET', '/cases/%E0%A4%A')).toEqual({ route: undefined, methodNotAllowed: false });
  });

  it('splits a URL into its path and query', () => {
    const { path, query } = splitUrl('/cases?limit=5&where_status=open');
    expect(path).toBe('/cases');
    expect(Object.fromEntries(query)).toEqual({ limit: '5', where_status: 'open' });
    expect(splitUrl(undefined).path).toBe('/');
  });
});
