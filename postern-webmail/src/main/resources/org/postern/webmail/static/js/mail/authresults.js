// SPDX-License-Identifier: Apache-2.0
/**
 * Reads the verdicts out of an Authentication-Results header field (RFC 8601 §2.2): the
 * authserv-id, then "; method=result ..." clauses. Comments (RFC 5322 §3.2.2) are dropped first.
 * Only a field our own server wrote counts: it is the one whose authserv-id is our host name (the
 * server removes fields claiming that name from incoming mail, RFC 8601 §5); any other was written by
 * whoever sent the message and proves nothing.
 */

/** @param {string} s */
function stripComments(s) {
  let out = '', depth = 0, quoted = false;
  for (let i = 0; i < s.length && i < 8192; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '\\') { out += c + (s[++i] || ''); continue; }
      if (c === '"') quoted = false;
      out += c;
    } else if (c === '"' && depth === 0) {
      quoted = true;
      out += c;
    } else if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (c === '\\' && depth > 0) i++;
    else if (depth === 0) out += c;
  }
  return out;
}

/**
 * @param {string|null|undefined} value one Authentication-Results field value
 * @returns {{authservId: string, spf: string|null, dkim: string|null, dmarc: string|null, headerFrom: string|null}|null}
 */
export function parseAuthResults(value) {
  if (!value) return null;
  const parts = stripComments(value).split(';').map((p) => p.trim()).filter(Boolean);
  if (!parts.length) return null;
  const r = { authservId: parts[0].split(/\s+/)[0], spf: null, dkim: null, dmarc: null, headerFrom: null };
  for (const clause of parts.slice(1)) {
    const m = /^([a-z0-9-]+)\s*=\s*([a-z]+)(.*)$/i.exec(clause);
    if (!m) continue;
    const method = m[1].toLowerCase(), result = m[2].toLowerCase();
    if (method === 'spf' || method === 'dmarc') {
      if (!r[method]) r[method] = result;
    } else if (method === 'dkim') {
      // Several signatures: one pass is enough (RFC 6376 §6.1 lets any valid signature count).
      if (r.dkim !== 'pass') r.dkim = result;
    }
    if (method === 'dmarc') {
      const hf = /header\.from\s*=\s*([^\s;]+)/i.exec(m[3]);
      if (hf) r.headerFrom = hf[1];
    }
  }
  return r;
}

/**
 * The verdict our server recorded, or null when none of the fields is ours.
 * @param {string[]|null|undefined} values every Authentication-Results field, top first
 * @param {string} authservId our host name
 */
export function trustedAuthResults(values, authservId) {
  for (const v of (values || []).slice(0, 50)) {
    const r = parseAuthResults(v);
    if (r && r.authservId.toLowerCase() === authservId.toLowerCase()) return r;
  }
  return null;
}
