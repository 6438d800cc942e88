// SPDX-License-Identifier: Apache-2.0
/**
 * The search box's little language, Gmail style: free words search the full text; "from:",
 * "to:", "subject:", "has:attachment", "after:YYYY-MM-DD", "before:YYYY-MM-DD", "in:all" narrow it;
 * values may be "quoted". Turned into one JMAP FilterCondition (RFC 8621 §4.4.1), whose properties
 * all have to match.
 */

const FIELDS = new Set(['from', 'to', 'cc', 'subject', 'has', 'after', 'before', 'in', 'is']);
const MAX = 1000;

/**
 * @param {string} q
 * @returns {{text: string, from?: string, to?: string, cc?: string, subject?: string, hasAttachment?: boolean,
 *   after?: string, before?: string, all: boolean, unread?: boolean, flagged?: boolean}}
 */
export function parseQuery(q) {
  /** @type {any} */
  const out = { text: '', all: false };
  const words = [];
  const re = /(\S+?):"([^"]*)"|(\S+?):(\S+)|"([^"]*)"|(\S+)/g;
  let m;
  const input = String(q).slice(0, MAX);
  while ((m = re.exec(input))) {
    const key = (m[1] || m[3] || '').toLowerCase();
    const value = m[2] !== undefined ? m[2] : m[4];
    if (key && FIELDS.has(key)) {
      const v = value.trim();
      if (key === 'has') { if (/^attachments?$/i.test(v)) out.hasAttachment = true; }
      else if (key === 'in') out.all = /^(all|anywhere)$/i.test(v);
      else if (key === 'is') {
        if (/^unread$/i.test(v)) out.unread = true;
        else if (/^read$/i.test(v)) out.unread = false;
        else if (/^(flagged|starred)$/i.test(v)) out.flagged = true;
      } else if (key === 'after' || key === 'before') {
        const d = date(v);
        if (d) out[key] = d;
      } else if (v) out[key] = v;
    } else {
      words.push(m[5] !== undefined ? m[5] : m[0]);
    }
  }
  out.text = words.join(' ').trim();
  return out;
}

/** "2024-03-01" -> UTCDate (RFC 8620 §1.4), or null. @param {string} s */
function date(s) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return null;
  const d = new Date(s + 'T00:00:00Z');
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The JMAP filter for a parsed query. Searching everywhere leaves out Trash and Junk, as users expect.
 * @param {ReturnType<typeof parseQuery>} p @param {string|null} mailboxId @param {string[]} excluded
 */
export function toFilter(p, mailboxId, excluded) {
  /** @type {any} */
  const f = {};
  if (p.text) f.text = p.text;
  for (const k of ['from', 'to', 'cc', 'subject', 'after', 'before']) if (p[k]) f[k] = p[k];
  if (p.hasAttachment) f.hasAttachment = true;
  if (p.unread === true) f.notKeyword = '$seen';
  if (p.unread === false) f.hasKeyword = '$seen';
  if (p.flagged) {
    if (f.hasKeyword) return { operator: 'AND', conditions: [withScope(f, p, mailboxId, excluded), { hasKeyword: '$flagged' }] };
    f.hasKeyword = '$flagged';
  }
  return withScope(f, p, mailboxId, excluded);
}

function withScope(f, p, mailboxId, excluded) {
  if (!p.all && mailboxId) f.inMailbox = mailboxId;
  else if (excluded.length) f.inMailboxOtherThan = excluded;
  return f;
}

/** Builds the query text back from the filter form's fields. @param {Record<string, string|boolean>} fields */
export function formatQuery(fields) {
  const quote = (v) => (/[\s"]/.test(v) ? `"${v.replace(/"/g, '')}"` : v);
  const parts = [];
  if (fields.text) parts.push(String(fields.text).trim());
  for (const k of ['from', 'to', 'subject']) if (fields[k]) parts.push(`${k}:${quote(String(fields[k]).trim())}`);
  if (fields.hasAttachment) parts.push('has:attachment');
  if (fields.after) parts.push(`after:${fields.after}`);
  if (fields.before) parts.push(`before:${fields.before}`);
  if (fields.all) parts.push('in:all');
  return parts.join(' ');
}

const LABELS = { from: 'From', to: 'To', cc: 'Cc', subject: 'Subject', after: 'After', before: 'Before' };

/**
 * The query split for its heading: the free text as typed (quotes kept) and one chip per filter,
 * each with the query as it would be without it (the other words untouched, so removing a chip
 * never changes what the rest means). Filters parseQuery ignores (an unknown "has:", a bad date)
 * stay in the text.
 * @param {string} q
 * @returns {{text: string, chips: Array<{label: string, without: string}>}}
 */
export function describeQuery(q) {
  const input = String(q).slice(0, MAX);
  const re = /(\S+?):"([^"]*)"|(\S+?):(\S+)|"([^"]*)"|(\S+)/g;
  /** @type {Array<{raw: string, label: string|null}>} */
  const tokens = [];
  let m;
  while ((m = re.exec(input))) {
    const key = (m[1] || m[3] || '').toLowerCase();
    const value = (m[2] !== undefined ? m[2] : m[4] || '').trim();
    tokens.push({ raw: m[0], label: FIELDS.has(key) ? chipLabel(key, value) : null });
  }
  const text = tokens.filter((t) => !t.label).map((t) => t.raw).join(' ');
  const chips = [];
  tokens.forEach((t, i) => {
    if (t.label) chips.push({ label: t.label, without: tokens.filter((_, j) => j !== i).map((x) => x.raw).join(' ') });
  });
  return { text, chips };
}

/** @param {string} key @param {string} v */
function chipLabel(key, v) {
  if (key === 'has') return /^attachments?$/i.test(v) ? 'Has attachment' : null;
  if (key === 'in') return /^(all|anywhere)$/i.test(v) ? 'All folders' : null;
  if (key === 'is') {
    if (/^unread$/i.test(v)) return 'Unread';
    if (/^read$/i.test(v)) return 'Read';
    return /^(flagged|starred)$/i.test(v) ? 'Flagged' : null;
  }
  if (key === 'after' || key === 'before') return date(v) ? `${LABELS[key]} ${v}` : null;
  return v ? `${LABELS[key]}: ${v}` : null;
}
