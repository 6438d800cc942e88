// SPDX-License-Identifier: Apache-2.0
/**
 * The vacation responder (RFC 8621 §8 VacationResponse, one "singleton" object): on/off, an
 * optional period (fromDate/toDate are UTCDates; the form shows local time), subject and text.
 * The replies themselves follow RFC 3834 and are sent by delivery, at most once per sender per period.
 */
import { h } from '../core/dom.js';
import { field, check, status, saving, setError } from './form.js';

/** "2026-12-24T09:00" in local time, as datetime-local inputs want. @param {string|null} iso */
function local(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** @param {string} v a datetime-local value, read as local time */
function utc(v) {
  if (!v) return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new Error('That is not a date.');
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** @param {any} app */
export async function vacationPage(app) {
  if (!app.jmap.has('urn:ietf:params:jmap:vacationresponse')) {
    return h('p', null, 'This server has no vacation responder.');
  }
  const r = await app.jmap.one('VacationResponse/get', { ids: ['singleton'] });
  const v = (r.list && r.list[0]) || {};
  const enabled = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', checked: !!v.isEnabled, 'data-testid': 'vacation-enabled' }));
  const from = /** @type {HTMLInputElement} */ (h('input', { type: 'datetime-local', value: local(v.fromDate), 'data-testid': 'vacation-from' }));
  const to = /** @type {HTMLInputElement} */ (h('input', { type: 'datetime-local', value: local(v.toDate), 'data-testid': 'vacation-to' }));
  const subject = /** @type {HTMLInputElement} */ (h('input', { type: 'text', value: v.subject ?? '', maxlength: 998,
    placeholder: 'Auto: (original subject)', 'data-testid': 'vacation-subject' }));
  const text = /** @type {HTMLTextAreaElement} */ (h('textarea', { rows: 8, maxlength: 60000, 'data-testid': 'vacation-text' }));
  text.value = v.textBody ?? '';
  const st = status('vacation-status');
  const button = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary', 'data-testid': 'vacation-save' }, 'Save'));
  const form = h('form', { class: 'form', 'aria-labelledby': 'vacation-title' },
    h('h2', { id: 'vacation-title' }, 'Vacation responder'),
    h('p', { class: 'muted' }, 'While it is on, people who write to you get this answer once per period. Mailing lists and automatic mail get none.'),
    check('Send automatic replies', enabled),
    h('div', { class: 'field-row' },
      field('First day (optional)', from),
      field('Last day (optional)', to)),
    field('Subject', subject),
    field('Message', text),
    st.el,
    h('div', { class: 'buttons' }, button));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    saving(button, st, async () => {
      const fromDate = utc(from.value);
      const toDate = utc(to.value);
      if (fromDate && toDate && fromDate > toDate) throw new Error('The last day is before the first.');
      if (enabled.checked && !text.value.trim()) {
        text.focus();
        throw new Error('Write the message people should get.');
      }
      const res = await app.jmap.one('VacationResponse/set', { update: { singleton: {
        isEnabled: enabled.checked, fromDate, toDate,
        subject: subject.value.trim() || null, textBody: text.value || null, htmlBody: null,
      } } });
      setError(res, 'singleton', 'notUpdated');
      return enabled.checked ? 'Saved: automatic replies are on.' : 'Saved: automatic replies are off.';
    });
  });
  return form;
}
