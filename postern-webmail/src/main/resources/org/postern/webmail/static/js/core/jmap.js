// SPDX-License-Identifier: Apache-2.0
/**
 * The only channel to the server: JMAP (RFC 8620, RFC 8621) with the browser session cookie.
 * Every state-changing request carries the session's CSRF token in X-CSRF-Token (the server refuses
 * a cookie-authenticated POST without it). The token comes from POST /login and again from every
 * GET /.well-known/jmap, so a reload keeps working; sessionStorage only bridges the two.
 */

const CSRF_HEADER = 'X-CSRF-Token';
const CSRF_KEY = 'postern.csrf';
export const CORE = 'urn:ietf:params:jmap:core';
export const MAIL = 'urn:ietf:params:jmap:mail';
export const SUBMISSION = 'urn:ietf:params:jmap:submission';
export const VACATION = 'urn:ietf:params:jmap:vacationresponse';
export const SETTINGS = 'urn:postern:params:jmap:settings';
const LIMIT = 'urn:ietf:params:jmap:error:limit';
/** How long a prefetched answer may stand in for a call (start-up takes well under this). */
const PREFETCH_MS = 10000;

/** A request-level failure (RFC 8620 §3.6.1) or an HTTP error. */
export class JmapError extends Error {
  /** @param {number} status @param {string} type @param {string} detail */
  constructor(status, type, detail) {
    super(detail || type || `HTTP ${status}`);
    this.status = status;
    this.type = type;
  }
}

/** A method-level error (RFC 8620 §3.6.2) raised by {@link Jmap#one}. */
export class MethodError extends Error {
  /** @param {{type: string, description?: string}} e */
  constructor(e) {
    super(e.description || e.type);
    this.type = e.type;
  }
}

/** The server's absolute URLs carry the Host it was reached by; stay on our own origin. */
function local(url) {
  return url.replace(/^[a-z]+:\/\/[^/]+/i, '');
}

async function problem(r) {
  let type = '', detail = '';
  try {
    const j = await r.json();
    type = j.type || '';
    detail = j.detail || j.title || '';
  } catch (_) { /* not JSON */ }
  return new JmapError(r.status, type, detail);
}

/**
 * A file name as one URL path segment. Jetty refuses (400) a path whose segments hold an encoded "/",
 * "\", "%", ";" or control character, or are "." / ".."; the saved file's name is the segment, so such
 * characters become "_" (the name is the sender's, never trusted for a path anyway).
 * @param {string} name
 */
export function pathSafeName(name) {
  let n = String(name || 'download').replace(/[\/\\%;\u0000-\u001f\u007f]/g, '_');
  // A lone surrogate would make encodeURIComponent throw; cut by code points, not UTF-16 units.
  n = Array.from(n.toWellFormed ? n.toWellFormed() : n).slice(0, 200).join('');
  return n === '.' || n === '..' || n === '' ? `_${n}` : n;
}

export class Jmap {
  /** @param {any} session the JMAP Session object @param {string|null} csrf */
  constructor(session, csrf) {
    this.session = session;
    this.csrf = csrf;
    /** Called when the server says the session is gone (401). */
    this.onUnauthorized = () => {};
    this.running = 0;
    /** @type {Array<() => void>} */
    this.waiting = [];
    /** @type {Map<string, {until: number, response: Promise<any>}>} answers sent ahead by {@link Jmap#prefetch} */
    this.prefetched = new Map();
  }

  /**
   * Sends read-only calls (e.g. /get) whose answers features will ask for in a moment, all in one
   * request: the start-up asks for settings and the folder list one after the other, and this makes
   * them one round trip. A later {@link Jmap#call} of exactly one of these calls, with the same
   * arguments, within PREFETCH_MS, takes its answer once instead of asking again; any other call
   * goes to the server as usual.
   * @param {Array<[string, object]>} methodCalls
   */
  prefetch(methodCalls) {
    const sent = this.call(methodCalls.map(([name, args], i) => [name, args, `p${i}`]));
    sent.catch(() => { /* the feature's own call asks again */ });
    const until = Date.now() + PREFETCH_MS;
    methodCalls.forEach(([name, args], i) => {
      this.prefetched.set(this.callKey(name, args), { until, response: sent.then((r) => r[i]) });
    });
  }

  /** @param {string} name @param {object} args */
  callKey(name, args) {
    return JSON.stringify([name, { accountId: this.accountId, ...args }]);
  }

  /** The session for the cookie, or null when not logged in. */
  static async connect() {
    const r = await fetch('/.well-known/jmap', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (r.status === 401) return null;
    if (!r.ok) throw await problem(r);
    const csrf = r.headers.get(CSRF_HEADER) || sessionStorage.getItem(CSRF_KEY);
    if (csrf) sessionStorage.setItem(CSRF_KEY, csrf);
    return new Jmap(await r.json(), csrf);
  }

  /**
   * @param {string} username @param {string} password
   * @returns {Promise<{username: string, csrfToken: string}>}
   * @throws {JmapError} status 401 wrong credentials, 429 throttled
   */
  static async login(username, password) {
    const r = await fetch('/login', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!r.ok) throw await problem(r);
    const j = await r.json();
    sessionStorage.setItem(CSRF_KEY, j.csrfToken);
    return j;
  }

  async logout() {
    try {
      await fetch('/logout', { method: 'POST', credentials: 'same-origin', headers: { [CSRF_HEADER]: this.csrf || '' } });
    } finally {
      sessionStorage.removeItem(CSRF_KEY);
    }
  }

  get accountId() {
    return this.session.primaryAccounts[MAIL];
  }

  get username() {
    return this.session.username;
  }

  /** @param {string} capability */
  has(capability) {
    return Object.prototype.hasOwnProperty.call(this.session.capabilities, capability);
  }

  /**
   * One JMAP request. accountId is filled in for every call that lacks it.
   * @param {Array<[string, object, string]>} methodCalls
   * @returns {Promise<Array<[string, any, string]>>} the methodResponses
   */
  async call(methodCalls) {
    if (methodCalls.length === 1 && this.prefetched.size) {
      const [name, args, id] = methodCalls[0];
      const key = this.callKey(name, args);
      const ahead = this.prefetched.get(key);
      if (ahead) {
        this.prefetched.delete(key);
        if (Date.now() <= ahead.until) {
          try {
            const [resName, res] = await ahead.response;
            return [[resName, res, id]];
          } catch (_) { /* asked again below */ }
        }
      }
    }
    const using = [CORE, MAIL, SUBMISSION, VACATION, SETTINGS].filter((c) => this.has(c));
    const calls = methodCalls.map(([name, args, id]) => [name, { accountId: this.accountId, ...args }, id]);
    const body = JSON.stringify({ using, methodCalls: calls });
    for (let attempt = 0; ; attempt++) {
      await this.slot();
      let r;
      try {
        r = await fetch(local(this.session.apiUrl), {
          method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', [CSRF_HEADER]: this.csrf || '' },
          body,
        });
      } finally {
        this.release();
      }
      if (r.status === 401) this.onUnauthorized();
      if (r.ok) return (await r.json()).methodResponses;
      const err = await problem(r);
      // Another tab of this account may hold the server's concurrent-request slots (RFC 8620 §3.6.1 limit).
      if (err.type === LIMIT && attempt < 4) {
        await new Promise((res) => setTimeout(res, 150 * 2 ** attempt));
        continue;
      }
      throw err;
    }
  }

  /** Waits for one of the server's maxConcurrentRequests (RFC 8620 §2) slots. */
  slot() {
    const core = this.session.capabilities[CORE] || {};
    const max = Math.max(1, Math.min(8, core.maxConcurrentRequests || 4));
    if (this.running < max) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release() {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  /**
   * One method call; its arguments, or a thrown {@link MethodError}.
   * @param {string} name @param {object} args
   */
  async one(name, args) {
    const [[resName, res]] = await this.call([[name, args, '0']]);
    if (resName === 'error') throw new MethodError(res);
    return res;
  }

  /**
   * Uploads a blob (RFC 8620 §6.1) with progress.
   * @param {Blob} blob @param {(loaded: number, total: number) => void} [onProgress]
   * @returns {Promise<{blobId: string, type: string, size: number}>}
   */
  upload(blob, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', local(this.session.uploadUrl).replace('{accountId}', encodeURIComponent(this.accountId)));
      xhr.setRequestHeader(CSRF_HEADER, this.csrf || '');
      xhr.setRequestHeader('Content-Type', blob.type || 'application/octet-stream');
      xhr.responseType = 'json';
      if (onProgress) xhr.upload.onprogress = (e) => onProgress(e.loaded, e.total);
      xhr.onload = () => {
        if (xhr.status === 201 || xhr.status === 200) resolve(xhr.response);
        else {
          if (xhr.status === 401) this.onUnauthorized();
          const j = xhr.response || {};
          reject(new JmapError(xhr.status, j.type || '', j.detail || `upload failed (${xhr.status})`));
        }
      };
      xhr.onerror = () => reject(new JmapError(0, 'network', 'upload failed'));
      xhr.send(blob);
    });
  }

  /**
   * RFC 8620 §6.2. The server sends downloads as attachments, except a preview (inline) of the few
   * types it allows inline (raster images, PDF); it never sends HTML or SVG inline.
   * @param {string} blobId @param {string} name @param {string} [type] @param {boolean} [inline]
   */
  downloadUrl(blobId, name, type, inline = false) {
    const url = local(this.session.downloadUrl)
      .replace('{accountId}', encodeURIComponent(this.accountId))
      .replace('{blobId}', encodeURIComponent(blobId))
      .replace('{name}', encodeURIComponent(pathSafeName(name)))
      .replace('{type}', encodeURIComponent(type || 'application/octet-stream'));
    return inline ? `${url}${url.includes('?') ? '&' : '?'}disposition=inline` : url;
  }

  /**
   * Push (RFC 8620 §7.3): calls onState with {TypeName: state} of this account whenever one moves.
   * EventSource reconnects by itself after a dropped connection; when the browser gives up
   * (readyState CLOSED, e.g. after a 5xx), we reopen with a growing delay.
   * @param {string[]} types @param {(changed: Record<string, string>) => void} onState
   * @returns {{close: () => void}}
   */
  events(types, onState) {
    const url = local(this.session.eventSourceUrl)
      .replace('{types}', encodeURIComponent(types.join(',')))
      .replace('{closeafter}', 'no')
      .replace('{ping}', '60');
    let source = null, closed = false, delay = 1000, timer = 0;
    const open = () => {
      source = new EventSource(url);
      source.addEventListener('open', () => { delay = 1000; });
      source.addEventListener('state', (e) => {
        try {
          const changed = JSON.parse(/** @type {MessageEvent} */ (e).data).changed || {};
          if (changed[this.accountId]) onState(changed[this.accountId]);
        } catch (_) { /* a malformed event is ignored */ }
      });
      source.addEventListener('error', () => {
        if (closed || source.readyState !== EventSource.CLOSED) return;
        timer = setTimeout(open, delay);
        delay = Math.min(delay * 2, 60000);
      });
    };
    open();
    return {
      close() {
        closed = true;
        clearTimeout(timer);
        if (source) source.close();
      },
    };
  }
}
