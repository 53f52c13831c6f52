/** Server-rendered HTML of the partner pages: no script at all (the CSP forbids it), forms post back. */

export const esc = (s: unknown) =>
  String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

export function pageHtml(o: { title: string; partnerName: string; body: string; notice?: string | null }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${esc(o.title)}</title><link rel="stylesheet" href="/p-assets/partner.css"><link rel="icon" href="/p-assets/favicon.svg"></head>
<body><header><span class="for">For ${esc(o.partnerName)}</span></header><main>
${o.notice ? `<p class="flash" id="flash">${esc(o.notice)}</p>` : ''}
<h1>${esc(o.title)}</h1>
${o.body}
</main><footer>This page was opened with a personal link. Do not forward it: anyone with it can act for your company on this item until it expires.</footer></body></html>`;
}

export function refusedHtml(status: number, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Link not valid</title><link rel="stylesheet" href="/p-assets/partner.css"><link rel="icon" href="/p-assets/favicon.svg"></head>
<body><main><h1>This link cannot be used</h1><p id="refused" data-status="${status}">${esc(message)}</p><p>Ask your contact for a new link.</p></main></body></html>`;
}

export const PARTNER_CSS = `body{font-family:Arial,Helvetica,sans-serif;color:#1f2933;margin:0;background:#f5f7fa}
header{background:#1f2933;color:#fff;padding:10px 24px;font-size:14px}
main{max-width:760px;margin:24px auto;background:#fff;padding:24px;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.1)}
h1{font-size:22px;margin-top:0}h2{font-size:17px;margin-top:28px}
.status{display:inline-block;padding:2px 10px;border-radius:10px;background:#e3f8ff;color:#035388;font-weight:bold}
ol.history{list-style:none;padding:0}ol.history li{border-left:3px solid #cbd2d9;padding:4px 12px;margin:8px 0}
ol.history .when{color:#7b8794;font-size:12px;display:block}.pre{white-space:pre-wrap}
.flash{background:#e3f9e5;border:1px solid #8eedc7;padding:8px 12px;border-radius:4px}
.error{background:#ffe3e3;border:1px solid #ff9b9b;padding:8px 12px;border-radius:4px}
form{margin:12px 0}textarea{width:100%;min-height:90px;box-sizing:border-box}button{background:#1f6feb;color:#fff;border:0;padding:8px 18px;border-radius:4px;cursor:pointer;font-size:15px}
table{border-collapse:collapse}td,th{padding:4px 14px 4px 0;text-align:left}
footer{max-width:760px;margin:0 auto 24px;color:#7b8794;font-size:12px;padding:0 24px}`;

export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f6feb"/></svg>';
