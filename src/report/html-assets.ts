/**
 * The HTML report's inline stylesheet and script. Both are constants (no data inside), so the
 * CSP can allow inline code without letting any report content become code: the script reads
 * the embedded JSON and builds elements with textContent only.
 */

export const HTML_STYLE = `
:root { --good: #1a7f37; --bad: #c62828; --warn: #9a6700; --muted: #57606a; --line: #d0d7de; --bg-soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; background: #fff; }
main, header, footer { padding: 0 24px; }
h1 { font-size: 22px; margin: 16px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
h4 { font-size: 14px; margin: 0 0 4px; }
h5 { font-size: 13px; margin: 8px 0 2px; }
p, li, dd, h3, h4, summary, caption { overflow-wrap: anywhere; }
td, th { overflow-wrap: break-word; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
pre { background: var(--bg-soft); border: 1px solid var(--line); padding: 8px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
header.verdict { border-left: 10px solid var(--muted); margin: 0 0 8px; padding: 4px 24px 12px; background: var(--bg-soft); }
header.tone-good { border-color: var(--good); } header.tone-bad { border-color: var(--bad); } header.tone-warn { border-color: var(--warn); }
.overall { font-size: 20px; margin: 6px 0; }
.badge { font-weight: 700; letter-spacing: .02em; }
.tone-good .badge, .t-good { color: var(--good); } .tone-bad .badge, .t-bad { color: var(--bad); }
.tone-warn .badge, .t-warn { color: var(--warn); } .t-muted { color: var(--muted); }
.banner { border: 2px solid var(--warn); padding: 6px 10px; margin: 8px 0; font-weight: 600; }
ul.counts { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 6px 0; }
dl.meta { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 14px; margin: 8px 0; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
thead th { background: var(--bg-soft); }
.sid, .cond { color: var(--muted); font-weight: 400; font-size: 12px; }
.req { color: var(--muted); font-weight: 400; }
article.finding { border-left: 5px solid var(--bad); padding: 6px 12px; margin: 8px 0; background: #fff5f5; }
article.finding.sev-inconclusive { border-left-color: var(--warn); background: #fffbeb; }
article.finding.sev-waived, article.finding.sev-notice { border-left-color: var(--muted); background: var(--bg-soft); }
article.finding p { margin: 4px 0; }
.hint { color: var(--muted); }
details.more > summary, details.script > summary { cursor: pointer; color: var(--muted); }
ul.absent { list-style: none; padding-left: 0; }
nav.filters { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); padding: 8px 0; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; z-index: 1; }
nav.filters input[type=search] { min-width: 240px; max-width: 100%; padding: 3px 6px; }
details.target { border: 1px solid var(--line); border-left: 5px solid var(--good); border-radius: 3px; margin: 4px 0; }
details.target[data-status=non-compliant] { border-left-color: var(--bad); }
details.target[data-status=inconclusive] { border-left-color: var(--warn); }
details.target > summary { cursor: pointer; padding: 4px 8px; }
details.target .rows { padding: 0 8px; }
details.target tr.svc th { background: var(--bg-soft); }
details.target tr.v-fail td { background: #fff5f5; } details.target tr.v-inconclusive td { background: #fffbeb; }
details.target td.words { color: var(--muted); font-size: 12.5px; }
.warning { border: 2px solid var(--bad); padding: 8px 12px; font-weight: 600; }
.empty { color: var(--muted); font-style: italic; }
footer { color: var(--muted); border-top: 1px solid var(--line); margin-top: 32px; padding-top: 8px; padding-bottom: 24px; overflow-wrap: anywhere; }
[hidden] { display: none !important; }
@media (max-width: 640px) {
  main, header, footer { padding-left: 10px; padding-right: 10px; }
  header.verdict { border-left-width: 6px; }
  h1 { font-size: 18px; } .overall { font-size: 16px; }
  dl.meta { grid-template-columns: minmax(0, 1fr); } dl.meta dt { margin-top: 4px; }
  nav.filters input[type=search] { min-width: 0; width: 100%; }
}
@media print {
  body { font-size: 10.5px; }
  header.verdict { background: none; }
  nav.filters, #legend, details.more, details.script:not([open]), noscript { display: none !important; }
  details.target[data-status=compliant], details.target .rows { display: none !important; }
  article.finding { background: none; break-inside: avoid; }
  pre { white-space: pre-wrap; }
}
`;

/**
 * Renders a target's rows when it is opened (from the embedded `portolan-rows` data), and
 * filters the target list (failing only, search over names, ports, services and evidence),
 * all client-side: works from file://, builds text nodes only.
 */
export const HTML_SCRIPT = `
(function () {
  'use strict';
  var byId = function (id) { return document.getElementById(id); };
  var source = byId('portolan-rows'), nav = byId('filters'), listEl = byId('target-list');
  if (!source || !nav || !listEl) return;
  var data = JSON.parse(source.textContent);
  var E = data.e, T = data.t;
  var STATE = { open: '\\u25cf open', closed: '\\u25cb closed', filtered: '\\u25a0 filtered', 'open|filtered': '\\u25d0 open|filtered', error: '! error', untestable: '\\u2013 untestable' };
  var VERDICT = { pass: '\\u2714 pass', fail: '\\u2718 fail', inconclusive: '? inconclusive', waived: '~ waived', untestable: '\\u2013 not tested' };
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function rtt(ms) { return ms === null ? '-' : ms < 1 ? '<1 ms' : Math.round(ms) + ' ms'; }
  function render(d) {
    var box = d.querySelector('.rows');
    if (!box || box.getAttribute('data-done')) return;
    var rows = T[Number(d.getAttribute('data-i'))] || [];
    var wrap = el('div', 'scroll'), table = el('table'), head = el('tr'), body = el('tbody');
    table.appendChild(el('caption', null, 'Every row checked on ' + d.querySelector('strong').textContent));
    ['Port', 'Application', 'State', 'Reason', 'RTT', 'Requirement', 'Verdict'].forEach(function (h) {
      var th = el('th', null, h); th.setAttribute('scope', 'col'); head.appendChild(th);
    });
    var thead = el('thead'); thead.appendChild(head); table.appendChild(thead);
    var service = null;
    rows.forEach(function (r) {
      var e = E[r[0]] || ['?', '?', '?', '?', '?'];
      if (e[2] !== service) {
        service = e[2];
        var s = el('tr', 'svc'), th = el('th', null, e[2] + ' (' + e[3] + ')');
        th.setAttribute('scope', 'rowgroup'); th.colSpan = 7; s.appendChild(th); body.appendChild(s);
      }
      var tr = el('tr', 'v-' + r[4]);
      [e[0], e[1], r[1] ? STATE[r[1]] : 'not probed', r[2] || '-', rtt(r[3]), e[4], VERDICT[r[4]]].forEach(function (c, i) {
        tr.appendChild(el(i === 0 ? 'th' : 'td', i === 0 ? 'mono' : null, c));
      });
      body.appendChild(tr);
      var more = [].concat(r[5] ? [r[5]] : [], r[7].length ? ['probed: ' + r[7].join(', ')] : [], r[6].map(function (x) { return 'evidence: ' + x; }));
      if (more.length) {
        var m = el('tr', 'v-' + r[4]), td = el('td', 'words');
        td.colSpan = 7;
        more.forEach(function (line, i) { if (i) td.appendChild(el('br')); td.appendChild(document.createTextNode(line)); });
        m.appendChild(td); body.appendChild(m);
      }
    });
    table.appendChild(body); wrap.appendChild(table); box.appendChild(wrap);
    box.setAttribute('data-done', '1');
  }
  listEl.addEventListener('toggle', function (ev) { if (ev.target.open) render(ev.target); }, true);
  var items = Array.prototype.slice.call(listEl.querySelectorAll('details.target'));
  var failOnly = byId('f-fail'), search = byId('f-search'), count = byId('f-count'), none = byId('f-none');
  var texts = null;
  function textOf(rows) {
    return rows.map(function (r) {
      var e = E[r[0]] || [];
      return [e[0], e[1], e[2], e[3], r[1], r[2], r[4], r[5]].concat(r[6]).join(' ');
    }).join(' ').toLowerCase();
  }
  function apply() {
    var term = search.value.trim().toLowerCase();
    if (term && !texts) texts = T.map(textOf);
    var shown = 0;
    items.forEach(function (d) {
      var i = Number(d.getAttribute('data-i'));
      var ok = (!failOnly.checked || d.getAttribute('data-status') !== 'compliant') &&
        (!term || d.getAttribute('data-name').indexOf(term) !== -1 || texts[i].indexOf(term) !== -1);
      d.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + ' of ' + items.length + ' targets shown';
    none.hidden = shown !== 0;
  }
  failOnly.addEventListener('change', apply);
  search.addEventListener('input', apply);
  nav.hidden = false;
  apply();
})();
`;

/**
 * The start of every portolan HTML page up to its title: doctype, charset, the content
 * security policy `csp`, no referrer, the viewport. Constant but for the policy.
 */
export function htmlPageStart(csp: string): string[] {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
  ];
}
