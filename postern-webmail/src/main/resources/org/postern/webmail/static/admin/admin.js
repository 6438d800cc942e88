// SPDX-License-Identifier: Apache-2.0
/**
 * The admin page: renders GET /admin/api/doctor (the checks of `postern doctor` and the served
 * certificate's expiry). Text from the server only ever becomes text nodes (h() in core/dom.js).
 * data-testid: admin-status, admin-certificate, admin-cert-warning, admin-summary, admin-sections,
 * admin-section (one per heading), admin-finding (data-level ok|warning|problem), admin-recheck.
 */
import { h, replace } from '/js/core/dom.js';

const LABEL = { ok: 'ok', warning: 'warning', problem: 'problem' };

/** @param {{level: string, text: string}} f */
function finding(f) {
  const level = LABEL[f.level] ? f.level : 'problem';
  return h('li', { class: level, 'data-testid': 'admin-finding', dataset: { level } },
    h('span', { class: ['level', `level-${level}`] }, LABEL[level]),
    h('span', null, f.text));
}

/** @param {any} c */
function certificate(c) {
  const el = document.getElementById('certificate');
  replace(el,
    h('h2', null, 'Certificate'),
    c.warning ? h('p', { class: 'cert-warning', 'data-testid': 'admin-cert-warning', role: 'alert' }, c.warning) : null,
    h('dl', null,
      h('dt', null, 'Subject'), h('dd', null, c.subject),
      h('dt', null, 'Issuer'), h('dd', null, c.issuer),
      h('dt', null, 'Valid until'), h('dd', null, `${new Date(c.notAfter).toLocaleString()} (${c.daysLeft} days)`)));
  el.hidden = false;
}

/** @param {any} r */
function render(r) {
  const status = document.getElementById('status');
  const when = new Date(r.checkedAt).toLocaleTimeString();
  status.textContent = r.problems === 0 && r.warnings === 0
    ? `Everything works (checked ${when}).`
    : `${r.problems} ${r.problems === 1 ? 'problem' : 'problems'}, ${r.warnings} ${r.warnings === 1 ? 'warning' : 'warnings'} (checked ${when}).`;
  certificate(r.certificate);
  const summary = document.getElementById('summary');
  const worst = [...r.summary].sort((a, b) => (a.level === 'problem' ? 0 : 1) - (b.level === 'problem' ? 0 : 1));
  replace(summary, ...(worst.length ? [h('h2', null, 'What to fix'), h('ul', null, worst.map(finding))] : []));
  summary.hidden = worst.length === 0;
  replace(document.getElementById('sections'), ...r.sections.map((s) =>
    h('div', { 'data-testid': 'admin-section' }, h('h2', null, s.title), h('ul', null, s.findings.map(finding)))));
}

async function load() {
  const status = document.getElementById('status');
  const button = /** @type {HTMLButtonElement} */ (document.getElementById('recheck'));
  button.disabled = true;
  status.textContent = 'Checking every port, the certificate and DNS…';
  try {
    const res = await fetch('/admin/api/doctor', { credentials: 'same-origin', cache: 'no-store' });
    if (res.status === 403) {
      const body = await res.json().catch(() => ({}));
      replace(status, body.error === 'login'
        ? h('span', null, 'Log in to the ', h('a', { href: '/' }, 'webmail'), ' as an admin, then come back.')
        : h('span', null, 'This account is not an admin. Admins are listed in admins = … of postern.conf.'));
      return;
    }
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    render(await res.json());
  } catch (e) {
    status.textContent = `The checks could not run: ${e instanceof Error ? e.message : e}`;
  } finally {
    button.disabled = false;
  }
}

document.getElementById('recheck').addEventListener('click', load);
load();
