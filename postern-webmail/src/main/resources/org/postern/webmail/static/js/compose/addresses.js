// SPDX-License-Identifier: Apache-2.0
/**
 * Address lists as the user types them ("Ann <ann@x.test>, bob@y.test") <-> JMAP EmailAddress[]
 * (RFC 8621 §4.1.2.3), and the correspondents cache behind autocomplete.
 */

/** @typedef {{name: string|null, email: string}} EmailAddress */

const EMAIL = /^[^\s<>"(),;:\\[\]@]{1,64}@[A-Za-z0-9.\-[\]:]{1,255}$/;

/** @param {string} s */
export function isEmail(s) {
  return EMAIL.test(s);
}

/**
 * Splits on commas/semicolons outside quotes and angle brackets.
 * @param {string} input
 * @returns {{list: EmailAddress[], bad: string[]}}
 */
export function parseAddressList(input) {
  /** @type {string[]} */
  const parts = [];
  let cur = '';
  let quoted = false;
  let angle = false;
  for (const c of String(input)) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') angle = true;
    else if (!quoted && c === '>') angle = false;
    if (!quoted && !angle && (c === ',' || c === ';' || c === '\n')) {
      parts.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  parts.push(cur);
  /** @type {EmailAddress[]} */
  const list = [];
  /** @type {string[]} */
  const bad = [];
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) continue;
    const m = /^(.*)<([^<>]*)>\s*$/.exec(p);
    let name = null;
    let email = p;
    if (m) {
      name = m[1].trim().replace(/^"(.*)"$/, '$1').replace(/\\(.)/g, '$1').trim() || null;
      email = m[2].trim();
    }
    if (isEmail(email)) list.push({ name, email });
    else bad.push(p);
  }
  return { list, bad };
}

/**
 * @param {EmailAddress} a
 * @returns {string}
 */
export function formatAddress(a) {
  if (!a.name) return a.email;
  const name = /[",;<>@()\\[\]:]/.test(a.name) ? `"${a.name.replace(/["\\]/g, '\\$&')}"` : a.name;
  return `${name} <${a.email}>`;
}

/**
 * @param {EmailAddress[]|null|undefined} list
 * @returns {string}
 */
export function formatAddressList(list) {
  return (list ?? []).map(formatAddress).join(', ');
}

/**
 * Everyone the user has exchanged mail with recently: the from/to/cc of the latest messages in all
 * mailboxes and in Sent, loaded once per page (a few hundred messages, two JMAP calls) and ranked
 * by how often they occur. Matching is by prefix of the address, its local part, or any word of
 * the display name, case-insensitive.
 */
export class Correspondents {
  /** @param {any} jmap the app's Jmap client */
  constructor(jmap) {
    this.jmap = jmap;
    /** @type {Promise<Array<EmailAddress & {count:number}>>|null} */
    this.loading = null;
  }

  /** @returns {Promise<Array<EmailAddress & {count:number}>>} */
  load() {
    if (!this.loading) this.loading = this.fetch().catch(() => {
      this.loading = null;
      return [];
    });
    return this.loading;
  }

  async fetch() {
    const accountId = this.jmap.accountId;
    const mailboxes = await this.jmap.call([['Mailbox/query', { accountId, filter: { role: 'sent' } }, 'm']]);
    const sentIds = mailboxes[0]?.[1]?.ids ?? [];
    /** @type {any[]} */
    const calls = [
      ['Email/query', { accountId, sort: [{ property: 'receivedAt', isAscending: false }], limit: 300 }, 'q1'],
      ['Email/get', { accountId, '#ids': { resultOf: 'q1', name: 'Email/query', path: '/ids' },
        properties: ['from', 'to', 'cc'] }, 'g1'],
    ];
    if (sentIds.length) {
      calls.push(['Email/query', { accountId, filter: { inMailbox: sentIds[0] },
        sort: [{ property: 'receivedAt', isAscending: false }], limit: 300 }, 'q2']);
      calls.push(['Email/get', { accountId, '#ids': { resultOf: 'q2', name: 'Email/query', path: '/ids' },
        properties: ['to', 'cc', 'bcc'] }, 'g2']);
    }
    const responses = await this.jmap.call(calls);
    /** @type {Map<string, EmailAddress & {count:number}>} */
    const seen = new Map();
    const own = String(this.jmap.session?.username ?? '').toLowerCase();
    for (const [name, args] of responses) {
      if (name !== 'Email/get') continue;
      for (const e of args.list ?? []) {
        for (const field of ['from', 'to', 'cc', 'bcc']) {
          for (const a of e[field] ?? []) {
            if (!a || typeof a.email !== 'string' || !isEmail(a.email)) continue;
            const key = a.email.toLowerCase();
            if (key === own) continue;
            const prev = seen.get(key);
            if (prev) {
              prev.count++;
              if (!prev.name && a.name) prev.name = a.name;
            } else {
              seen.set(key, { name: a.name || null, email: a.email, count: 1 });
            }
          }
        }
      }
    }
    return [...seen.values()].sort((x, y) => y.count - x.count);
  }

  /**
   * @param {string} prefix
   * @param {number} [limit]
   * @returns {Promise<EmailAddress[]>}
   */
  async match(prefix, limit = 8) {
    const p = prefix.trim().toLowerCase();
    if (!p) return [];
    const all = await this.load();
    const out = [];
    for (const a of all) {
      const email = a.email.toLowerCase();
      const words = (a.name ?? '').toLowerCase().split(/\s+/);
      if (email.startsWith(p) || words.some((w) => w.startsWith(p)) || (a.name ?? '').toLowerCase().startsWith(p)) {
        out.push({ name: a.name, email: a.email });
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  /** Adds the recipients of a message just sent, so they complete at once next time. */
  /** @param {EmailAddress[]} list */
  remember(list) {
    if (!this.loading) return;
    this.loading = this.loading.then((all) => {
      for (const a of list) {
        const hit = all.find((x) => x.email.toLowerCase() === a.email.toLowerCase());
        if (hit) hit.count++;
        else all.unshift({ name: a.name, email: a.email, count: 1 });
      }
      return all;
    });
  }
}
