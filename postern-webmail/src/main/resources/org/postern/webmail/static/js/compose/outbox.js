// SPDX-License-Identifier: Apache-2.0
/**
 * The JMAP side of writing mail (RFC 8621): the Drafts and Sent mailboxes, identities, the Email
 * object built from the compose form, draft saving (create the new draft and destroy the previous
 * one in the same request, so exactly one copy exists), and sending through EmailSubmission/set
 * (§7.5) — the server hands the message to the same submission pipeline as SMTP port 587, and
 * onSuccessUpdateEmail moves the sent copy from Drafts to Sent and clears $draft in the same request.
 */

/** @typedef {import('./addresses.js').EmailAddress} EmailAddress */
/**
 * @typedef {{blobId: string, type: string, name: string, size: number}} Attachment
 * @typedef {{
 *   identity: {id: string, name: string, email: string, replyTo?: EmailAddress[]|null, bcc?: EmailAddress[]|null}|null,
 *   to: EmailAddress[], cc: EmailAddress[], bcc: EmailAddress[], subject: string,
 *   text: string, html: string|null, attachments: Attachment[],
 *   inReplyTo: string[]|null, references: string[]|null,
 * }} Message
 */

export class Outbox {
  /** @param {any} jmap */
  constructor(jmap) {
    this.jmap = jmap;
    /** @type {Promise<Record<string, string>>|null} role -> mailbox id */
    this.roles = null;
    /** @type {Promise<any[]>|null} */
    this.identityList = null;
  }

  /** @returns {Promise<Record<string, string>>} */
  mailboxRoles() {
    if (!this.roles) {
      this.roles = this.jmap.one('Mailbox/get', { properties: ['id', 'role', 'name'] }).then((r) => {
        /** @type {Record<string, string>} */
        const out = {};
        for (const m of r.list ?? []) if (m.role && !out[m.role]) out[m.role] = m.id;
        return out;
      }).catch((e) => {
        this.roles = null;
        throw e;
      });
    }
    return this.roles;
  }

  /** @param {string} role */
  async mailbox(role) {
    const roles = await this.mailboxRoles();
    if (roles[role]) return roles[role];
    // RFC 8621 §2: a client may create a mailbox with a role the account lacks.
    const name = role.charAt(0).toUpperCase() + role.slice(1);
    const r = await this.jmap.one('Mailbox/set', { create: { m: { name, role, parentId: null } } });
    const id = r.created?.m?.id;
    if (!id) throw new Error(`there is no ${name} folder and it could not be created`);
    roles[role] = id;
    return id;
  }

  /** @param {boolean} [fresh] */
  identities(fresh = false) {
    if (!this.identityList || fresh) {
      this.identityList = this.jmap.one('Identity/get', {}).then((r) => r.list ?? []).catch((e) => {
        this.identityList = null;
        throw e;
      });
    }
    return this.identityList;
  }

  /**
   * The original of a reply or forward, with its text (or HTML-only) body value.
   * @param {string} id
   */
  async original(id) {
    const r = await this.jmap.one('Email/get', {
      ids: [id],
      properties: ['id', 'blobId', 'threadId', 'mailboxIds', 'keywords', 'from', 'to', 'cc', 'bcc', 'replyTo', 'subject',
        'sentAt', 'receivedAt', 'messageId', 'references', 'inReplyTo', 'textBody', 'htmlBody', 'attachments',
        'bodyValues', 'size'],
      fetchTextBodyValues: true,
      maxBodyValueBytes: 512 * 1024,
    });
    const e = r.list && r.list[0];
    if (!e) throw new Error('the message no longer exists');
    return e;
  }

  /**
   * A draft being edited, with both body values.
   * @param {string} id
   */
  async draft(id) {
    const r = await this.jmap.one('Email/get', {
      ids: [id],
      properties: ['id', 'from', 'to', 'cc', 'bcc', 'subject', 'inReplyTo', 'references', 'textBody', 'htmlBody',
        'attachments', 'bodyValues', 'keywords'],
      fetchTextBodyValues: true,
      fetchHTMLBodyValues: true,
      maxBodyValueBytes: 1024 * 1024,
    });
    const e = r.list && r.list[0];
    if (!e) throw new Error('the draft no longer exists');
    return e;
  }

  /**
   * The Email/set create object (RFC 8621 §4.6) for a message in Drafts.
   * @param {Message} m @param {string} draftsId
   */
  static email(m, draftsId) {
    /** @type {Record<string, any>} */
    const e = {
      mailboxIds: { [draftsId]: true },
      keywords: { $draft: true, $seen: true },
      subject: m.subject,
      bodyValues: { text: { value: m.text } },
      textBody: [{ partId: 'text', type: 'text/plain' }],
    };
    if (m.identity) {
      e.from = [{ name: m.identity.name || null, email: m.identity.email }];
      if (m.identity.replyTo && m.identity.replyTo.length) e.replyTo = m.identity.replyTo;
    }
    if (m.to.length) e.to = m.to;
    if (m.cc.length) e.cc = m.cc;
    const bcc = [...m.bcc, ...((m.identity && m.identity.bcc) || [])];
    if (bcc.length) e.bcc = bcc;
    if (m.html !== null) {
      e.bodyValues.html = { value: htmlDocument(m.html) };
      e.htmlBody = [{ partId: 'html', type: 'text/html' }];
    }
    if (m.inReplyTo && m.inReplyTo.length) e.inReplyTo = m.inReplyTo;
    if (m.references && m.references.length) e.references = m.references;
    if (m.attachments.length) {
      e.attachments = m.attachments.map((a) => ({ blobId: a.blobId, type: a.type || 'application/octet-stream',
        name: a.name, disposition: 'attachment' }));
    }
    return e;
  }

  /**
   * Saves the draft, replacing the previous copy in the same request.
   * @param {Message} m @param {string|null} previous the id of the draft saved before
   * @returns {Promise<string>} the new draft's id
   */
  async saveDraft(m, previous) {
    const drafts = await this.mailbox('drafts');
    /** @type {Record<string, any>} */
    const args = { create: { d: Outbox.email(m, drafts) } };
    if (previous) args.destroy = [previous];
    const r = await this.jmap.one('Email/set', args);
    const id = r.created?.d?.id;
    if (!id) throw new Error(describe(r.notCreated?.d) || 'the draft could not be saved');
    return id;
  }

  /**
   * Sends: the final message is created in Drafts, submitted, and on success moved to Sent without
   * $draft; the last autosaved draft is destroyed in the same request.
   * @param {Message} m @param {string|null} previousDraft
   * @param {{id: string, keyword: string}|null} [mark] keyword to set on the original ($answered, $forwarded)
   * @returns {Promise<{emailId: string, submissionId: string}>}
   */
  async send(m, previousDraft, mark = null) {
    if (!m.identity) throw new Error('no identity to send from');
    const drafts = await this.mailbox('drafts');
    const sent = await this.mailbox('sent');
    /** @type {Record<string, any>} */
    const setArgs = { create: { final: Outbox.email(m, drafts) } };
    if (previousDraft) setArgs.destroy = [previousDraft];
    /** @type {Array<[string, object, string]>} */
    const calls = [
      ['Email/set', setArgs, 'e'],
      ['EmailSubmission/set', {
        create: { s: { identityId: m.identity.id, emailId: '#final' } },
        onSuccessUpdateEmail: { '#s': { [`mailboxIds/${drafts}`]: null, [`mailboxIds/${sent}`]: true, 'keywords/$draft': null } },
      }, 's'],
    ];
    const responses = await this.jmap.call(calls);
    const byId = (/** @type {string} */ tag, /** @type {string} */ name) =>
      responses.find((r) => r[2] === tag && (r[0] === name || r[0] === 'error'));
    const email = byId('e', 'Email/set');
    if (!email || email[0] === 'error') throw new Error(email ? describe(email[1]) : 'no answer');
    const emailId = email[1].created?.final?.id;
    if (!emailId) throw new Error(describe(email[1].notCreated?.final) || 'the message could not be created');
    const sub = byId('s', 'EmailSubmission/set');
    if (!sub || sub[0] === 'error') {
      await this.discard(emailId);
      throw new Error(sub ? describe(sub[1]) : 'no answer');
    }
    const created = sub[1].created?.s;
    if (!created) {
      // Not sent: the message goes back to being the draft, so nothing typed is lost.
      const e = new Error(describe(sub[1].notCreated?.s) || 'the message was not sent');
      /** @type {any} */ (e).draftId = emailId;
      throw e;
    }
    if (mark) {
      this.jmap.one('Email/set', { update: { [mark.id]: { [`keywords/${mark.keyword}`]: true } } }).catch(() => {});
    }
    return { emailId, submissionId: created.id };
  }

  /** @param {string} id */
  async discard(id) {
    await this.jmap.one('Email/set', { destroy: [id] });
  }
}

/** A full HTML document around the body, so clients render it as UTF-8. @param {string} body */
function htmlDocument(body) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${body}</body></html>`;
}

/**
 * A SetError or method error in words.
 * @param {any} e
 */
export function describe(e) {
  if (!e) return '';
  const words = {
    forbiddenFrom: 'You may not send from this address.',
    forbiddenMailFrom: 'The server refused the sender address.',
    forbiddenToSend: 'The server refused to send this message.',
    invalidRecipients: 'Some recipients are not valid addresses',
    noRecipients: 'Add at least one recipient.',
    tooManyRecipients: 'Too many recipients.',
    tooLarge: 'The message is too large to send.',
    overQuota: 'Your mailbox is full.',
  };
  let s = words[e.type] ?? (e.description || e.type || 'failed');
  if (e.type === 'invalidRecipients' && Array.isArray(e.invalidRecipients)) s += ': ' + e.invalidRecipients.join(', ');
  if (e.description && words[e.type] && e.type !== 'noRecipients') s += ` (${e.description})`;
  return s;
}
