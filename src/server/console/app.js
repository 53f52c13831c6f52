// gridbridge operations console: a hash-routed page over the admin API (/api). No build step.
import { api, ApiError } from './api.js';
import { clear, fmtAgo, fmtDuration, fmtTime, h, human } from './dom.js';
import { barChart, color, lineChart, progress } from './charts.js';

const main = document.getElementById('main');
let session = null;
let refreshTimer = null;

// ---------- shell ----------

function toast(text, tone = 'ok') {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.className = tone;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 4000);
}

function showShell(on) {
  document.getElementById('top').hidden = !on;
  if (on) document.getElementById('who').textContent = `${session.actor} · ${session.role === 'admin' ? 'admin' : 'read-only'}`;
}

async function refreshBadges() {
  try {
    const o = await api.get('/overview');
    const dl = document.getElementById('badge-dl');
    dl.textContent = String(o.deadLetters);
    dl.hidden = o.deadLetters === 0;
    const sla = document.getElementById('badge-sla');
    sla.textContent = String(o.breached + o.atRisk);
    sla.hidden = o.breached + o.atRisk === 0;
    sla.classList.toggle('bad', o.breached > 0);
  } catch {
    /* the view shows errors */
  }
}

function page(title, ...children) {
  return [h('div.pagehead', h('h1', title), h('div.actions#page-actions')), ...children];
}

function errorBox(e) {
  return h('div.error', h('strong', e instanceof ApiError ? `Error ${e.status}: ` : 'Error: '), e.message);
}

const stateTone = { breached: 'bad', missed: 'bad', at_risk: 'warn', on_track: 'ok', met: 'ok', none: 'muted' };
const pill = (text, tone = '') => h('span', { class: `pill ${tone}` }, human(text));

// ---------- sign in ----------

function viewSignIn(reason) {
  showShell(false);
  let mode = 'token';
  const err = h('p.error', { hidden: true });
  const tokenField = h('label', 'Admin token', h('input#token', { type: 'password', name: 'token', autocomplete: 'current-password', required: true }));
  const userFields = h('div', { hidden: true }, h('label', 'User', h('input#user', { name: 'user', autocomplete: 'username' })), h('label', 'Password', h('input#password', { type: 'password', name: 'password', autocomplete: 'current-password' })));
  const toggle = h('button.link', { type: 'button' }, 'Sign in with a user name and password instead');
  toggle.addEventListener('click', () => {
    mode = mode === 'token' ? 'password' : 'token';
    tokenField.hidden = mode !== 'token';
    userFields.hidden = mode === 'token';
    tokenField.querySelector('input').required = mode === 'token';
    toggle.textContent = mode === 'token' ? 'Sign in with a user name and password instead' : 'Sign in with an admin token instead';
  });
  const form = h('form.signin', { novalidate: false },
    h('div.brandbig', h('span.logo', '⇄'), ' gridbridge'),
    h('p.muted', 'Operations console: what the bridge between Trading Grid and ClickUp is doing, and what needs a hand.'),
    reason ? h('p.notice', reason) : null,
    tokenField, userFields, err,
    h('button.primary#sign-in', { type: 'submit' }, 'Sign in'),
    toggle);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    try {
      const body = mode === 'token' ? { token: form.querySelector('#token').value } : { user: form.querySelector('#user').value, password: form.querySelector('#password').value };
      session = await api.signIn(body);
      location.hash = location.hash && !location.hash.startsWith('#/sign-in') ? location.hash : '#/cases';
      route();
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
    }
  });
  clear(main, h('div.center', form));
  form.querySelector('input').focus();
}

// ---------- cases ----------

async function viewCases(params) {
  const filters = { q: params.get('q') ?? '', partner: params.get('partner') ?? '', kind: params.get('kind') ?? '', sla: params.get('sla') ?? '', state: params.get('state') ?? '', offset: Number(params.get('offset') ?? 0) };
  const limit = 50;
  const qs = new URLSearchParams(Object.entries({ ...filters, limit }).filter(([, v]) => v !== '' && v !== 0));
  const [data, overview] = await Promise.all([api.get(`/cases?${qs}`), api.get('/overview')]);
  const go = (over) => {
    const next = new URLSearchParams(Object.entries({ ...filters, offset: 0, ...over }).filter(([, v]) => v !== '' && v !== 0));
    location.hash = `#/cases?${next}`;
  };
  const select = (name, label, options) =>
    h('label.inline', label, h('select', { name, onchange: (e) => go({ [name]: e.target.value }) }, h('option', { value: '' }, 'any'), options.map(([v, t]) => h('option', { value: v, selected: filters[name] === v }, t))));
  const search = h('input', { type: 'search', name: 'q', placeholder: 'Search case id, partner, title, PO, task id…', value: filters.q });
  const form = h('form.filters', { role: 'search' }, search, h('button', { type: 'submit' }, 'Search'),
    select('sla', 'SLA', [['breached', 'breached'], ['at_risk', 'at risk'], ['on_track', 'on track'], ['met', 'met'], ['missed', 'missed'], ['none', 'no due date']]),
    select('state', 'Bridge', [['active', 'active'], ['needs_mapping', 'needs mapping'], ['closed', 'closed']]),
    select('kind', 'Kind', ['dispute', 'shipment_exception', 'document_mismatch', 'compliance_issue', 'edi_exception'].map((k) => [k, human(k)])),
    h('label.inline', 'Partner', h('input', { name: 'partner', value: filters.partner, placeholder: 'P-…', size: 10, onchange: (e) => go({ partner: e.target.value.trim() }) })));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go({ q: search.value.trim() });
  });
  const stats = h('div.stats',
    stat('Open cases', overview.openCases, '#/cases?state=active'),
    stat('SLA breached', overview.breached, '#/cases?sla=breached', overview.breached ? 'bad' : ''),
    stat('At risk', overview.atRisk, '#/cases?sla=at_risk', overview.atRisk ? 'warn' : ''),
    stat('Held (needs mapping)', overview.held, '#/cases?state=needs_mapping', overview.held ? 'warn' : ''),
    stat('Dead letters', overview.deadLetters, '#/dead-letters', overview.deadLetters ? 'bad' : ''),
    stat('Held bulk changes', overview.heldChanges ?? 0, '#/held', overview.heldChanges ? 'bad' : ''),
    stat('Queue due', overview.queueDue, '#/health', '', overview.oldestDueAgeMs ? `oldest ${fmtDuration(overview.oldestDueAgeMs)}` : ''));
  const rows = data.cases.map((c) =>
    h('tr', { dataset: { case: c.id } },
      h('td', h('a.caseid', { href: `#/case/${encodeURIComponent(c.id)}` }, c.id), h('div.sub', c.title)),
      h('td', c.partnerName ?? c.partnerId, h('div.sub', c.partnerId)),
      h('td', human(c.kind)),
      h('td', pill(c.partnerStatus, c.partnerStatus === 'resolved' ? 'ok' : ''), h('div.sub', 'Trading Grid')),
      h('td', c.clickupTaskId ? [pill(c.clickupStatus ?? 'linked', 'ok'), h('div.sub', `task ${c.clickupTaskId}`)] : c.bridgeState === 'needs_mapping' ? [pill('held', 'warn'), h('div.sub', 'needs mapping')] : [pill('not yet', 'muted')]),
      h('td', pill(c.sla, stateTone[c.sla]), h('div.sub', c.slaDueAt ? `due ${fmtAgo(c.slaDueAt)}` : '')),
      h('td.links', c.links.clickup ? h('a', { href: c.links.clickup, target: '_blank', rel: 'noopener noreferrer' }, 'ClickUp ↗') : null, c.links.tradinggrid ? h('a', { href: c.links.tradinggrid, target: '_blank', rel: 'noopener noreferrer' }, 'Trading Grid ↗') : null),
      h('td.num', fmtAgo(c.openedAt))));
  const pager = h('div.pager',
    h('span.muted', `${data.total === 0 ? 0 : data.offset + 1}–${data.offset + data.cases.length} of ${data.total}`),
    h('button', { type: 'button', disabled: data.offset === 0, onclick: () => go({ offset: Math.max(0, data.offset - limit) }) }, '← Newer'),
    h('button', { type: 'button', disabled: data.offset + data.cases.length >= data.total, onclick: () => go({ offset: data.offset + limit }) }, 'Older →'));
  return page('Cases', stats, form,
    data.cases.length === 0 ? h('p.empty', filters.q || filters.sla || filters.state || filters.kind || filters.partner ? 'No case matches these filters.' : 'No cases yet: they appear when partners raise them on Trading Grid.')
      : h('table.data#cases', h('thead', h('tr', ['Case', 'Partner', 'Kind', 'Trading Grid', 'ClickUp', 'SLA', 'Links', 'Opened'].map((t) => h('th', t)))), h('tbody', rows)),
    pager);
}

function stat(label, value, href, tone = '', note = '') {
  return h('a', { class: `stat ${tone}`, href }, h('span.value', String(value)), h('span.label', label), note ? h('span.note', note) : null);
}

// ---------- case + timeline ----------

const kindIcon = { event: '↘', decision: '◆', call: '↗', retry: '↻', error: '✕', dead_letter: '☠', replay: '⟲', operator: '☺', sent_to_partner: '✉' };

async function viewCase(id) {
  const [c, tl, bySend] = await Promise.all([api.get(`/cases/${encodeURIComponent(id)}`), api.get(`/cases/${encodeURIComponent(id)}/timeline`), api.get(`/partner-channel/deliveries/case/${encodeURIComponent(id)}`).catch(() => null)]);
  const k = c.case;
  const dl = (label, value) => [h('dt', label), h('dd', value ?? '—')];
  const info = h('dl.facts',
    dl('Partner', `${k.partnerName ?? ''} (${k.partnerId})`),
    dl('Kind', human(k.kind)),
    dl('Trading Grid status', pill(k.partnerStatus)),
    dl('Bridge', [pill(k.bridgeState, k.bridgeState === 'needs_mapping' ? 'warn' : ''), k.holdReason ? h('div.sub', k.holdReason) : null]),
    dl('ClickUp task', k.clickupTaskId ? [h('a', { href: k.links.clickup, target: '_blank', rel: 'noopener noreferrer' }, `${k.clickupTaskId} ↗`), k.clickupStatus ? h('span.cu-status', ` · ${k.clickupStatus}`) : null] : 'not created yet'),
    dl('Escalation', k.escalation ? h('span#escalation', `level ${k.escalation.level} → ${k.escalation.manager ?? 'nobody'}`, k.escalation.taskId ? [' · ', h('a', { href: k.escalation.taskUrl, target: '_blank', rel: 'noopener noreferrer' }, `task ${k.escalation.taskId} ↗`)] : ' · task pending', h('div.sub', k.escalation.why)) : '—'),
    dl('Trading Grid case', k.links.tradinggrid ? h('a', { href: k.links.tradinggrid, target: '_blank', rel: 'noopener noreferrer' }, `${k.id} ↗`) : k.id),
    dl('SLA', [pill(k.sla, stateTone[k.sla]), k.slaDueAt ? ` due ${fmtTime(k.slaDueAt)} (${fmtAgo(k.slaDueAt)})` : '']),
    dl('Opened', fmtTime(k.openedAt)),
    dl('Resolved', k.resolvedAt ? fmtTime(k.resolvedAt) : '—'),
    dl('Transaction', c.record.transactionRef?.business ? `${c.record.transactionRef.business.type} ${c.record.transactionRef.business.value}` : '—'));
  const docs = c.documents.length
    ? h('ul.docs', c.documents.map((d) => h('li', h('strong', d.name), ` · ${human(d.kind)} · ${Math.round(d.sizeBytes / 102.4) / 10} KB · `, d.onTradingGrid ? pill('Trading Grid', 'ok') : pill('not on TG', 'muted'), ' ', d.onClickUp ? pill('ClickUp', 'ok') : pill('not on ClickUp', 'muted'))))
    : h('p.muted', 'No documents.');
  const items = tl.items.map((it) =>
    h('li', { class: `tl ${it.kind} st-${it.status}` },
      h('span.icon', { title: it.kind }, kindIcon[it.kind] ?? '•'),
      h('div.body', h('div.line', h('span.kind', human(it.kind)), ' ', it.detail), h('div.sub', fmtTime(it.at), it.durationMs !== null ? ` · ${fmtDuration(it.durationMs)}` : '', it.status !== 'info' ? ' · ' : '', it.status !== 'info' ? pill(it.status, it.status === 'done' ? 'ok' : it.status === 'retry' ? 'warn' : 'bad') : null, it.jobId ? ` · job ${it.jobId}` : ''))));
  // What the partner was sent, apart from everything that stayed internal.
  const sent = tl.items.filter((it) => it.kind === 'sent_to_partner');
  const sentList = sent.length
    ? h('ul.sent#sent-to-partner', sent.map((it) => h('li', h('strong', fmtTime(it.at)), ' ', it.detail)))
    : h('p.muted#sent-to-partner', 'Nothing sent to the partner yet.');
  return [
    h('div.pagehead', h('div', h('a.back', { href: '#/cases' }, '← Cases'), h('h1', k.title), h('div.sub', k.id))),
    h('div.grid2', h('section.card', h('h2', 'Case'), info, h('h3', 'Documents'), docs, h('h3', `Sent to partner (${sent.length})`), sentList, partnerSends(bySend)),
      h('section.card', h('h2', `Timeline (${tl.items.length})`), tl.items.length ? h('ol.timeline#timeline', items) : h('p.empty', 'Nothing recorded for this case yet.'))),
  ];
}

// What reached the partner, by which channel and when; the page links handed out (revocable by an admin).
function partnerSends(bySend) {
  if (!bySend) return null;
  const sent = bySend;
  const rows = sent.deliveries.map((x) => h('tr', h('td', pill(x.channel, x.channel === 'email' ? 'ok' : '')), h('td', x.what), h('td', x.to ?? '—'), h('td', pill(x.state, x.state === 'sent' || x.state === 'digested' ? 'ok' : x.state === 'failed' ? 'bad' : 'warn')), h('td', { title: x.detail ?? '' }, fmtTime(x.at))));
  const links = sent.tokens.map((t) => {
    const btn = t.revokedAt || session.role !== 'admin' ? null : h('button', { type: 'button', class: 'revoke-link', onclick: async () => {
      try {
        await api.post(`/partner-channel/tokens/${encodeURIComponent(t.jti)}/revoke`);
        toast('link withdrawn');
        setTimeout(route, 200);
      } catch (e) {
        toast(e.message, 'bad');
      }
    } }, 'Revoke');
    return h('li', `${t.recipient ?? t.partnerId} · expires ${fmtTime(t.expiresAt)} · ${t.lastUsedAt ? `last used ${fmtAgo(t.lastUsedAt)}` : 'not opened'} `, t.revokedAt ? pill('revoked', 'bad') : btn);
  });
  return [
    h('h3', 'By channel'),
    rows.length ? h('table.sends#partner-sends', h('thead', h('tr', h('th', 'Channel'), h('th', 'What'), h('th', 'To'), h('th', 'State'), h('th', 'When'))), h('tbody', rows)) : h('p.muted', 'Nothing sent yet.'),
    links.length ? [h('h3', 'Partner page links'), h('ul.links#partner-links', links)] : null,
  ];
}

// ---------- dead letters ----------

async function viewDeadLetters(params) {
  const all = params.get('all') === 'true';
  const data = await api.get(`/dead-letters${all ? '?all=true' : ''}`);
  const canReplay = session.role === 'admin';
  const selected = new Set();
  const bulk = h('button.primary', { type: 'button', disabled: true, onclick: () => replay([...selected]) }, 'Replay selected');
  const replayAll = h('button', { type: 'button', disabled: !canReplay || data.deadLetters.every((d) => d.replayedAt), onclick: () => replay('all') }, 'Replay all');
  async function replay(ids) {
    try {
      const r = ids === 'all' ? await api.post('/dead-letters/replay', { all: true }) : ids.length === 1 ? await api.post(`/dead-letters/${ids[0]}/replay`) : await api.post('/dead-letters/replay', { ids });
      const n = ids !== 'all' && ids.length === 1 ? 1 : r.replayed;
      toast(`${n} dead letter${n === 1 ? '' : 's'} sent back to the queue${r.failed ? `; ${r.failed} refused` : ''}`);
      setTimeout(route, 300);
    } catch (e) {
      toast(e.message, 'bad');
    }
  }
  const rows = data.deadLetters.map((d) => {
    const box = h('input', { type: 'checkbox', disabled: !canReplay || !!d.replayedAt, 'aria-label': `select dead letter ${d.id}`, onchange: (e) => {
      if (e.target.checked) selected.add(d.id);
      else selected.delete(d.id);
      bulk.disabled = selected.size === 0;
    } });
    let payload = d.payload;
    try {
      payload = JSON.stringify(JSON.parse(d.payload), null, 2);
    } catch {
      /* shown raw */
    }
    const state = d.replayedAt ? (d.jobState === 'done' ? pill('replayed · succeeded', 'ok') : d.jobState === 'dead' ? pill('replayed · failed again', 'bad') : pill(`replayed · ${d.jobState}`, 'warn')) : pill('dead', 'bad');
    return h('tr', { dataset: { dl: d.id } },
      h('td', box),
      h('td.num', `#${d.id}`),
      h('td', h('code', d.kind), h('div.sub', d.caseId ? h('a', { href: `#/case/${encodeURIComponent(d.caseId)}` }, d.caseId) : d.key)),
      h('td.err', h('div', d.error.split('\n')[0]), h('details', h('summary', 'payload and full error'), h('pre', payload), h('pre.errfull', d.error))),
      h('td', `${d.attempts}`, h('div.sub', fmtAgo(d.failedAt))),
      h('td.state', state),
      h('td', canReplay && !d.replayedAt ? h('button.replay', { type: 'button', onclick: () => replay([d.id]) }, 'Replay') : null));
  });
  const head = page('Dead letters',
    h('p.muted', 'Jobs that failed for good. Fix the cause (a ClickUp field option, a partner mapping…), then replay: the job runs again with fresh attempts.', canReplay ? '' : ' You are signed in read-only: replay is not available.'),
    h('div.toolbar', canReplay ? [bulk, replayAll] : null, h('a', { href: all ? '#/dead-letters' : '#/dead-letters?all=true' }, all ? 'Hide replayed' : 'Show replayed too')),
    data.deadLetters.length === 0 ? h('p.empty', 'No dead letters. Everything that failed was retried successfully.')
      : h('table.data#dead-letters', h('thead', h('tr', ['', 'Id', 'Job', 'Error', 'Attempts', 'State', ''].map((t) => h('th', t)))), h('tbody', rows)));
  return head;
}

// ---------- held bulk changes ----------

async function viewHeld() {
  const data = await api.get('/held-changes');
  const canDecide = session.role === 'admin';
  async function decide(to, body) {
    try {
      const r = await api.post(`/held-changes/${to}`, body);
      toast(to === 'release' ? `${r.released} change(s) released to the partner` : `${r.dropped} change(s) dropped`);
      setTimeout(route, 300);
    } catch (e) {
      toast(e.message, 'bad');
    }
  }
  const actors = [...new Set(data.held.map((x) => x.actor))];
  const rowOf = (x) => h('tr', { dataset: { held: x.id } },
    h('td.num', `#${x.id}`),
    h('td', fmtTime(x.at)),
    h('td', x.caseId ? h('a', { href: `#/case/${encodeURIComponent(x.caseId)}` }, x.caseId) : '—'),
    h('td', x.summary),
    h('td', canDecide ? [h('button', { type: 'button', onclick: () => decide('release', { ids: [x.id] }) }, 'Release'), ' ', h('button', { type: 'button', onclick: () => decide('drop', { ids: [x.id] }) }, 'Drop')] : null));
  const byActor = actors.map((a) => {
    const mine = data.held.filter((x) => x.actor === a);
    return h('section.card', { dataset: { actor: a } },
      h('h2', `${a}: ${mine.length} held`),
      canDecide ? h('div.toolbar', h('button.primary', { type: 'button', onclick: () => decide('release', { actor: a }) }, 'Release all to the partner'), h('button', { type: 'button', onclick: () => decide('drop', { actor: a }) }, 'Drop all')) : null,
      h('table.data.compact', h('thead', h('tr', ['Id', 'When', 'Case', 'Would send', ''].map((t) => h('th', t)))), h('tbody', mine.map(rowOf))));
  });
  return page('Held bulk changes',
    h('p.muted', `One person making more than ${data.guard.maxChanges} partner-visible changes in ${data.guard.windowMinutes} minute(s) (guards.bulk_changes) is held here: nothing past the limit reaches the partner until an admin releases it. A status the task has moved on from since is not sent on release.`, canDecide ? '' : ' You are signed in read-only.'),
    data.held.length === 0 ? h('p.empty#held-empty', 'Nothing held.') : h('div#held', byActor));
}

// ---------- SLA ----------

async function viewSla() {
  const d = await api.get('/sla');
  const groupTable = (title, groups) => h('section.card', h('h2', title), groups.length === 0 ? h('p.empty', 'Nothing at risk or breached.') :
    barChart({ bars: groups.flatMap((g) => [{ label: g.key, value: g.breached + g.atRisk, note: `${g.breached} breached · ${g.atRisk} at risk`, color: g.breached ? '#cf222e' : '#d4a72c' }]), format: String }));
  const rows = d.cases.map((c) => h('tr',
    h('td', h('a', { href: `#/case/${encodeURIComponent(c.id)}` }, c.id), h('div.sub', c.title)),
    h('td', c.partnerName ?? c.partnerId),
    h('td.manager', c.manager),
    h('td.rung', c.escalation ? [`level ${c.escalation.level}`, c.escalation.taskId ? h('div.sub', h('a', { href: c.escalation.taskUrl, target: '_blank', rel: 'noopener noreferrer' }, `escalation task ${c.escalation.taskId} ↗`)) : h('div.sub', 'task pending')] : '—'),
    h('td', pill(c.sla, stateTone[c.sla])),
    h('td', fmtTime(c.slaDueAt), h('div.sub', fmtAgo(c.slaDueAt, d.now))),
    h('td.links', c.links.clickup ? h('a', { href: c.links.clickup, target: '_blank', rel: 'noopener noreferrer' }, 'ClickUp ↗') : '—', c.clickupStatus ? h('div.sub.cu-status', c.clickupStatus) : null)));
  return page('SLA board',
    h('p.muted', 'Open cases past their due date (breached) or with less than a quarter of their SLA window left (at risk).'),
    h('div.grid2', groupTable('By partner', d.byPartner), groupTable('By manager', d.byManager)),
    d.cases.length ? h('table.data#sla-cases', h('thead', h('tr', ['Case', 'Partner', 'Manager', 'Escalation', 'SLA', 'Due', 'Task (ClickUp status)'].map((t) => h('th', t)))), h('tbody', rows)) : null);
}

// ---------- scorecards ----------

async function viewScorecards() {
  const d = await api.get('/scorecards/trend?weeks=12');
  if (d.partners.length === 0) return page('Partner scorecards', h('p.empty', 'No data yet: scorecards fill in as cases are opened and resolved.'));
  const names = Object.fromEntries(d.partners.map((p) => [p.partnerId, p.partnerName ?? p.partnerId]));
  const byPartner = new Map();
  for (const t of d.trend) {
    if (!byPartner.has(t.partnerId)) byPartner.set(t.partnerId, []);
    byPartner.get(t.partnerId).push([t.weekStart, t.avgResolutionMs / 3_600_000]);
  }
  const weekFmt = (x) => new Date(x).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  const cards = d.partners.map((p, i) => h('section.card.score',
    h('h3', h('span', { class: `dot k${i % 8}` }), p.partnerName ?? p.partnerId, h('span.sub', ` ${p.partnerId}`)),
    h('div.kpis',
      h('div', h('span.value', String(p.open)), h('span.label', 'open')),
      h('div', h('span.value', String(p.resolved)), h('span.label', 'resolved')),
      h('div', h('span.value', p.avgResolutionMs === null ? '—' : fmtDuration(p.avgResolutionMs)), h('span.label', 'avg resolution')),
      h('div', h('span', { class: `value ${p.breachedOpen ? 'bad' : ''}` }, String(p.breachedOpen)), h('span.label', 'breached now'))),
    p.slaTracked ? progress(p.slaMet / p.slaTracked, `SLA met ${Math.round((100 * p.slaMet) / p.slaTracked)}% (${p.slaMet}/${p.slaTracked})`, p.slaMet / p.slaTracked < 0.8 ? 'warn' : 'ok') : h('p.muted', 'SLA met: no resolved case with a due date yet')));
  return page('Partner scorecards',
    h('div.grid2',
      lineChart({ title: 'Resolution time trend (average hours, by week resolved)', series: [...byPartner.entries()].map(([pid, pts]) => ({ name: names[pid] ?? pid, points: pts, color: color(d.partners.findIndex((p) => p.partnerId === pid)) })), xFormat: weekFmt, yFormat: (v) => `${Math.round(v)}h`, empty: 'No case resolved in the last 12 weeks yet.' }),
      barChart({ title: 'Open cases by partner', bars: d.partners.map((p, i) => ({ label: p.partnerName ?? p.partnerId, value: p.open, color: color(i) })) })),
    h('div.cards', cards));
}

// ---------- onboarding & rollouts ----------

async function viewRollouts() {
  const d = await api.get('/rollouts');
  if (!d.available) return page('Onboarding & rollouts', h('p.empty', d.reason));
  const table = (title, rows, empty) => h('section.card', h('h2', title), rows.length === 0 ? h('p.empty', empty) : h('table.data', h('thead', h('tr', ['Name', 'Partner', 'State', 'Acknowledgements / milestones', 'Updated'].map((t) => h('th', t)))), h('tbody', rows.map((r) => h('tr',
    h('td', r.title, r.clickupTaskId ? h('div.sub', h('a', { href: `https://app.clickup.com/t/${encodeURIComponent(r.clickupTaskId)}`, target: '_blank', rel: 'noopener noreferrer' }, `task ${r.clickupTaskId} ↗`)) : null,
      r.perPartner ? h('details', h('summary', 'acknowledgements per partner'), h('ul.acks', r.perPartner.map((p) => h('li', p.acknowledgedAt ? pill('acknowledged', 'ok') : pill('waiting', 'warn'), ' ', p.partner, p.acknowledgedAt ? h('span.sub', ` ${fmtTime(Date.parse(p.acknowledgedAt))}`) : null)))) : null),
    h('td', r.partner ?? (r.perPartner ? `${r.perPartner.length} partners` : '—')), h('td', pill(r.state)),
    h('td', r.expected ? progress((r.acknowledged ?? 0) / r.expected, `${r.acknowledged ?? 0} of ${r.expected} acknowledged`, (r.acknowledged ?? 0) >= r.expected ? 'ok' : '') : r.milestones?.length ? progress(r.milestones.filter((m) => m.done).length / Math.max(1, r.milestones.length), `${r.milestones.filter((m) => m.done).length} of ${r.milestones.length} milestones`) : r.acknowledged !== null ? `${r.acknowledged} acknowledged` : '—'),
    h('td', fmtAgo(r.updatedAt)))))));
  return page('Onboarding & rollouts',
    table('Partner onboarding (flow 4)', d.onboarding, 'No onboarding yet.'),
    table('Policy rollouts (flow 8)', d.rollouts, 'No rollout yet.'));
}

// ---------- health ----------

async function viewHealth() {
  const d = await api.get('/health');
  const rl = d.clickup.rateLimit;
  const tFmt = (x) => new Date(x).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const budget = !rl.known ? h('p.muted', 'No ClickUp call made yet: the plan limit is learned from the first answer.') :
    [progress((rl.remaining ?? 0) / (rl.limit || 1), `${rl.remaining} of ${rl.limit} calls left this minute · resets ${fmtAgo(rl.resetAt, d.now)}`, (rl.remaining ?? 0) / (rl.limit || 1) < 0.2 ? 'warn' : 'ok'),
      h('p.sub', `${rl.issued} calls made · ${rl.rateLimited} answered 429 · ${rl.queued} waiting · ${rl.inFlight} in flight · pace ${Math.round(rl.paceMs)} ms`),
      ...(rl.assumed ? [h('p.muted', `ClickUp's answers carry no rate-limit headers: ${rl.limit} calls a minute are assumed (clickup.assumed_rate_limit_per_minute).`)] : [])];
  const wh = d.clickup.webhook;
  const owner = d.clickup.tokenOwner;
  const line = (label, ok, detail) => h('li', h('span', { class: `okdot ${ok === null ? 'muted' : ok ? 'ok' : 'bad'}` }), h('strong', label), ' ', detail);
  const lastTg = d.inbound.find((x) => x.source === 'tradinggrid');
  const lastCu = d.inbound.find((x) => x.source === 'clickup');
  const poll = d.tradinggrid.lastPoll[0];
  const scan = d.tradinggrid.lastMailboxScan[0];
  const q = d.queue;
  return page('Connector health',
    h('div.grid2',
      h('section.card', h('h2', 'ClickUp rate-limit budget'), budget,
        lineChart({ title: 'Calls left in the window (sampled every 15 s)', series: [{ name: 'remaining', points: d.history.filter((s) => s.remaining !== null).map((s) => [s.at, s.remaining]) }, { name: 'waiting for a slot', points: d.history.map((s) => [s.at, s.queued]) }], xFormat: tFmt, yMaxHint: rl.limit ?? 0, height: 170, empty: 'No samples yet.' })),
      h('section.card', h('h2', 'Connections'), h('ul.checks',
        line('ClickUp webhook', wh.ok, wh.detail),
        line('ClickUp token owner', owner ? owner.ok : null, owner ? owner.detail : 'not read yet'),
        line('Last ClickUp event', lastCu ? true : null, lastCu ? `${fmtAgo(lastCu.lastReceivedAt, d.now)} (${lastCu.total} received)` : 'none received yet'),
        line('Last Trading Grid event', lastTg ? true : null, lastTg ? `${fmtAgo(lastTg.lastReceivedAt, d.now)} (${lastTg.total} received)` : 'none received yet'),
        line('Last Trading Grid poll', poll ? true : null, poll ? `${fmtAgo(poll.at, d.now)} (${poll.name})` : 'no poll recorded yet'),
        line('Last mailbox scan', scan ? true : null, scan ? `${fmtAgo(scan.at, d.now)} (${scan.name})` : 'no mailbox configured or scanned yet'),
        line('Queue', q.oldestDueAgeMs < 60_000, `${q.due} due, ${q.running} running, oldest waiting ${fmtDuration(q.oldestDueAgeMs)}`),
        line('Dead letters', q.deadLettersOpen === 0, q.deadLettersOpen ? h('a', { href: '#/dead-letters' }, `${q.deadLettersOpen} waiting for a replay`) : 'none'),
        line('Dispatcher', true, `${d.dispatcher.inFlight} in flight · ${d.dispatcher.counters.done ?? 0} done · ${d.dispatcher.counters.retried ?? 0} retried · ${d.dispatcher.counters.dead ?? 0} dead since start`)))),
    h('div.grid2',
      lineChart({ title: 'Queue: jobs due and age of the oldest (s)', series: [{ name: 'due', points: d.history.map((s) => [s.at, s.queueDue]) }, { name: 'oldest age (s)', points: d.history.map((s) => [s.at, s.oldestDueAgeMs / 1000]) }], xFormat: tFmt, height: 170, empty: 'No samples yet.' }),
      h('section.card', h('h2', 'Jobs by kind'), q.byKind.length === 0 ? h('p.empty', 'Queue is empty.') : h('table.data.compact', h('thead', h('tr', h('th', 'Kind'), h('th', 'State'), h('th.num', 'Jobs'))), h('tbody', q.byKind.map((r) => h('tr', h('td', h('code', r.kind)), h('td', pill(r.state, r.state === 'dead' ? 'bad' : '')), h('td.num', String(r.n)))))))));
}

// ---------- router ----------

const views = {
  cases: viewCases,
  case: (p, id) => viewCase(id),
  'dead-letters': viewDeadLetters,
  held: viewHeld,
  sla: viewSla,
  scorecards: viewScorecards,
  rollouts: viewRollouts,
  health: viewHealth,
};

async function route() {
  clearInterval(refreshTimer);
  const [path, query] = (location.hash.slice(1) || '/cases').split('?');
  const [, name = 'cases', arg] = path.split('/').map(decodeURIComponent);
  if (!session) {
    try {
      session = await api.session();
    } catch (e) {
      return viewSignIn(e.status === 401 ? null : e.message);
    }
  }
  if (name === 'sign-in') return viewSignIn();
  showShell(true);
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.view === (name === 'case' ? 'cases' : name));
  const view = views[name] ?? viewCases;
  main.setAttribute('aria-busy', 'true');
  try {
    const content = await view(new URLSearchParams(query ?? ''), arg);
    clear(main, content);
    document.title = `${document.querySelector('main h1')?.textContent ?? 'console'} · gridbridge`;
  } catch (e) {
    if (e.status === 401) {
      session = null;
      return viewSignIn('Your session ended: sign in again.');
    }
    clear(main, errorBox(e));
  } finally {
    main.removeAttribute('aria-busy');
  }
  void refreshBadges();
  // Live views refresh themselves while visible (not while someone is typing or reading a payload).
  if (['health', 'dead-letters', 'case', 'sla'].includes(name)) {
    refreshTimer = setInterval(() => {
      if (document.hidden || document.activeElement?.tagName === 'INPUT' || document.querySelector('details[open]') || document.querySelector('input[type=checkbox]:checked')) return;
      void route();
    }, name === 'health' ? 15_000 : 5_000);
  }
}

document.getElementById('sign-out').addEventListener('click', async () => {
  await api.signOut().catch(() => undefined);
  session = null;
  location.hash = '#/sign-in';
});
window.addEventListener('hashchange', route);
route();
