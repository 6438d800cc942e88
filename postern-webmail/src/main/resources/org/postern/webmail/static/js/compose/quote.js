// SPDX-License-Identifier: Apache-2.0
/**
 * What a reply or forward starts with: recipients, subject, threading headers (RFC 5322 §3.6.4:
 * In-Reply-To is the parent's Message-ID, References the parent's References plus its Message-ID)
 * and the quoted original. The quote comes from the original's text/plain body, or, for HTML-only
 * mail, from the server's sanitized rendering (/webmail/message/...) rebuilt through our allow-list:
 * never from the raw message HTML.
 */
import { fragmentFromHtml, fragmentFromText, toPlainText, quoteText } from './sanitize.js';
import { formatAddressList } from './addresses.js';

/** @typedef {import('./addresses.js').EmailAddress} EmailAddress */
/**
 * @typedef {{
 *   to: EmailAddress[], cc: EmailAddress[], subject: string, inReplyTo: string[]|null, references: string[]|null,
 *   quote: {intro: string, header: string[], fragment: DocumentFragment, text: string, forward: boolean}|null,
 *   attachments: Array<{blobId: string, type: string, name: string, size: number}>,
 *   mark: {id: string, keyword: string}|null,
 * }} Start
 */

/**
 * "Re: " once, whatever the original's prefixes (RFC 5322 §3.6.5).
 * @param {string} subject @param {string} prefix "Re" or "Fwd"
 */
export function prefixed(subject, prefix) {
  const s = (subject ?? '').trim();
  const re = prefix === 'Re' ? /^(re|aw|sv)\s*:/i : /^(fwd?|wg)\s*:/i;
  return re.test(s) ? s : `${prefix}: ${s}`;
}

/**
 * @param {'reply'|'replyAll'|'forward'|'forwardAttachment'} mode
 * @param {any} e the original (Email/get with body values)
 * @param {string[]} own the user's addresses (identities), lower case
 * @param {any} jmap
 * @returns {Promise<Start>}
 */
export async function startFrom(mode, e, own, jmap) {
  const mine = (/** @type {EmailAddress} */ a) => own.includes(a.email.toLowerCase());
  const ids = (/** @type {any} */ v) => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);
  if (mode === 'forwardAttachment') {
    const name = (e.subject || 'message').replace(/[\\/:*?"<>|\x00-\x1f]+/g, '_').slice(0, 100) + '.eml';
    return {
      to: [], cc: [], subject: prefixed(e.subject, 'Fwd'), inReplyTo: null, references: null, quote: null,
      attachments: [{ blobId: e.blobId, type: 'message/rfc822', name, size: e.size ?? 0 }],
      mark: { id: e.id, keyword: '$forwarded' },
    };
  }
  const body = await originalBody(e, jmap);
  if (mode === 'forward') {
    const header = [
      `From: ${formatAddressList(e.from)}`,
      `Date: ${dateText(e.sentAt || e.receivedAt)}`,
      `Subject: ${e.subject ?? ''}`,
      `To: ${formatAddressList(e.to)}`,
    ];
    if (e.cc && e.cc.length) header.push(`Cc: ${formatAddressList(e.cc)}`);
    return {
      to: [], cc: [], subject: prefixed(e.subject, 'Fwd'), inReplyTo: null, references: null,
      quote: { intro: '---------- Forwarded message ----------', header, fragment: body.fragment, text: body.text, forward: true },
      attachments: (e.attachments ?? []).filter((/** @type {any} */ a) => a.blobId).map((/** @type {any} */ a) => ({
        blobId: a.blobId, type: a.type || 'application/octet-stream', name: a.name || 'attachment', size: a.size ?? 0,
      })),
      mark: { id: e.id, keyword: '$forwarded' },
    };
  }
  // RFC 5322 §3.6.3: replies go to Reply-To when present, else From.
  const replyTo = (e.replyTo && e.replyTo.length ? e.replyTo : e.from) ?? [];
  let to = replyTo;
  /** @type {EmailAddress[]} */
  let cc = [];
  if (mode === 'replyAll') {
    // Replying to one's own sent message goes to its recipients.
    if (to.every(mine)) to = e.to ?? [];
    const seen = new Set(to.map((/** @type {EmailAddress} */ a) => a.email.toLowerCase()));
    for (const a of [...(e.to ?? []), ...(e.cc ?? [])]) {
      const k = a.email.toLowerCase();
      if (seen.has(k) || mine(a)) continue;
      seen.add(k);
      cc.push(a);
    }
  }
  const messageId = ids(e.messageId);
  const who = (e.from && e.from[0]) ? (e.from[0].name || e.from[0].email) : 'someone';
  return {
    to: to.map((/** @type {EmailAddress} */ a) => ({ name: a.name ?? null, email: a.email })),
    cc,
    subject: prefixed(e.subject, 'Re'),
    inReplyTo: messageId.length ? [messageId[0]] : null,
    references: messageId.length ? [...ids(e.references).slice(-20), messageId[0]] : (ids(e.references).length ? ids(e.references) : null),
    quote: { intro: `On ${dateText(e.sentAt || e.receivedAt)}, ${who} wrote:`, header: [], fragment: body.fragment,
      text: quoteText(body.text), forward: false },
    attachments: [],
    mark: { id: e.id, keyword: '$answered' },
  };
}

/**
 * The original's body as a rebuilt fragment and as text.
 * @param {any} e @param {any} jmap
 * @returns {Promise<{fragment: DocumentFragment, text: string}>}
 */
async function originalBody(e, jmap) {
  const part = (e.textBody ?? [])[0];
  const value = part && e.bodyValues && e.bodyValues[part.partId];
  if (part && value && String(part.type).toLowerCase() === 'text/plain') {
    const text = stripSignature(value.value);
    return { fragment: fragmentFromText(text), text };
  }
  try {
    const r = await fetch(`/webmail/message/${encodeURIComponent(jmap.accountId)}/${encodeURIComponent(e.id)}`,
      { credentials: 'same-origin' });
    if (r.ok) {
      const fragment = fragmentFromHtml(await r.text());
      const box = document.createElement('div');
      box.appendChild(fragment.cloneNode(true));
      return { fragment, text: toPlainText(box) };
    }
  } catch {
    // no sanitized rendering: quote nothing rather than anything raw
  }
  return { fragment: fragmentFromText(''), text: '' };
}

/** RFC 3676 §4.3: the signature after "-- " is not quoted. @param {string} text */
function stripSignature(text) {
  const t = String(text).replace(/\r\n?/g, '\n');
  const at = t.lastIndexOf('\n-- \n');
  return (at >= 0 ? t.slice(0, at) : t).replace(/\s+$/, '');
}

/** @param {string|null|undefined} iso */
function dateText(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
