// SPDX-License-Identifier: Apache-2.0
/**
 * The message body editor: rich text (a contenteditable with a small toolbar) or plain text (a
 * textarea), switchable. Paste and drop never insert foreign markup: HTML from the clipboard is
 * rebuilt from the allow-list in sanitize.js, so what the editor holds, and what we send, is only
 * p/br/strong/em/u/s/lists/blockquote/a/pre/code. The signature lives in one marked block so that
 * changing the identity swaps it.
 */
import { h, ask } from '../core/dom.js';
import { cleanHtml, toPlainText, fragmentFromHtml, fragmentFromText, safeHref } from './sanitize.js';

const SIG_MARK = 'signature';
const TEXT_SIG = '\n\n-- \n';

export class Editor {
  /**
   * @param {{rich?: boolean, label?: string, testid?: string, onChange?: () => void,
   *   onModeChange?: (rich: boolean) => void}} [opts]
   */
  constructor(opts = {}) {
    this.rich = opts.rich !== false;
    this.onChange = opts.onChange ?? (() => {});
    this.onModeChange = opts.onModeChange ?? (() => {});
    const testid = opts.testid ?? 'compose-body';
    this.area = /** @type {HTMLDivElement} */ (h('div', {
      class: 'editor-area', contenteditable: 'true', role: 'textbox', 'aria-multiline': 'true',
      'aria-label': opts.label ?? 'Message', 'data-testid': testid, spellcheck: 'true',
    }));
    this.textarea = /** @type {HTMLTextAreaElement} */ (h('textarea', {
      class: 'editor-text', 'aria-label': opts.label ?? 'Message', 'data-testid': testid + '-text', hidden: true,
      spellcheck: 'true',
    }));
    this.toolbar = this.makeToolbar();
    this.modeButton = h('button', { type: 'button', class: 'editor-mode', 'data-testid': 'editor-mode',
      onclick: () => {
        this.setRich(!this.rich);
        this.onModeChange(this.rich);
      } }, '');
    this.el = h('div', { class: 'editor' }, h('div', { class: 'editor-bar' }, this.toolbar, this.modeButton),
      this.area, this.textarea);
    this.area.addEventListener('paste', (e) => this.onPaste(e));
    this.area.addEventListener('drop', (e) => this.onDrop(e));
    this.area.addEventListener('input', () => this.onChange());
    this.area.addEventListener('keydown', (e) => this.onKey(e));
    this.textarea.addEventListener('input', () => this.onChange());
    /** @type {Range|null} */
    this.savedRange = null;
    this.showMode();
  }

  makeToolbar() {
    /**
     * @param {string} label @param {string} text @param {string} key @param {() => void} fn
     */
    const button = (label, text, key, fn) => h('button', {
      type: 'button', class: 'tool', title: label, 'aria-label': label, 'data-testid': 'tool-' + key,
      // Keep the selection in the editor: the toolbar must not take focus on mousedown.
      onmousedown: (/** @type {MouseEvent} */ e) => e.preventDefault(),
      onclick: () => {
        this.area.focus();
        fn();
        this.onChange();
      },
    }, text);
    return h('div', { class: 'editor-tools', role: 'toolbar', 'aria-label': 'Formatting' },
      button('Bold (Ctrl+B)', 'B', 'bold', () => exec('bold')),
      button('Italic (Ctrl+I)', 'I', 'italic', () => exec('italic')),
      button('Bulleted list', '• List', 'ul', () => exec('insertUnorderedList')),
      button('Numbered list', '1. List', 'ol', () => exec('insertOrderedList')),
      button('Quote', '❝ Quote', 'quote', () => this.toggleQuote()),
      button('Link (Ctrl+K)', 'Link', 'link', () => this.link()));
  }

  /** @param {KeyboardEvent} e */
  onKey(e) {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
      e.preventDefault();
      this.link();
    }
  }

  toggleQuote() {
    const sel = getSelection();
    const node = sel && sel.anchorNode;
    const inQuote = node && (node.nodeType === Node.ELEMENT_NODE ? /** @type {Element} */ (node) : node.parentElement)
      ?.closest('blockquote');
    exec('formatBlock', inQuote && this.area.contains(inQuote) ? 'p' : 'blockquote');
  }

  async link() {
    const sel = getSelection();
    this.savedRange = sel && sel.rangeCount && this.area.contains(sel.anchorNode) ? sel.getRangeAt(0).cloneRange() : null;
    const given = await ask('Insert link', 'Address (https://… or mailto:…)', 'https://');
    if (!given) return;
    const href = safeHref(/^[\w.+-]+@[\w.-]+$/.test(given) ? 'mailto:' + given : given);
    if (!href) return;
    this.area.focus();
    const s = getSelection();
    if (this.savedRange && s) {
      s.removeAllRanges();
      s.addRange(this.savedRange);
    }
    if (s && s.rangeCount && !s.isCollapsed) {
      exec('createLink', href);
    } else {
      insertNodes(this.area, h('a', { href }, given));
    }
    this.onChange();
  }

  /** @param {ClipboardEvent} e */
  onPaste(e) {
    const data = e.clipboardData;
    if (!data) return;
    // Files pasted (screenshots) are left to the compose window's handler, which attaches them.
    if (data.files && data.files.length) return;
    e.preventDefault();
    const html = data.getData('text/html');
    const text = data.getData('text/plain');
    insertNodes(this.area, html ? fragmentFromHtml(html) : fragmentFromText(text));
    this.onChange();
  }

  /** @param {DragEvent} e */
  onDrop(e) {
    const data = e.dataTransfer;
    if (!data || (data.files && data.files.length)) return; // files: the window attaches them
    e.preventDefault();
    const html = data.getData('text/html');
    const text = data.getData('text/plain');
    if (!html && !text) return;
    const at = document.caretRangeFromPoint ? document.caretRangeFromPoint(e.clientX, e.clientY) : null;
    if (at) {
      const s = getSelection();
      s?.removeAllRanges();
      s?.addRange(at);
    }
    insertNodes(this.area, html ? fragmentFromHtml(html) : fragmentFromText(text));
    this.onChange();
  }

  /** @param {boolean} rich */
  setRich(rich) {
    if (rich === this.rich) return;
    if (rich) {
      const text = this.textarea.value;
      this.area.replaceChildren(fragmentFromText(text));
    } else {
      this.textarea.value = this.text();
    }
    this.rich = rich;
    this.showMode();
    this.onChange();
  }

  showMode() {
    this.area.hidden = !this.rich;
    this.textarea.hidden = this.rich;
    this.toolbar.hidden = !this.rich;
    this.modeButton.textContent = this.rich ? 'Plain text' : 'Rich text';
    this.modeButton.setAttribute('aria-pressed', String(!this.rich));
  }

  /** The body as plain text (signature after "-- ", RFC 3676 §4.3). */
  text() {
    return this.rich ? toPlainText(this.area) : this.textarea.value;
  }

  /** The body as clean HTML, or null in plain-text mode. */
  html() {
    if (!this.rich) return null;
    return cleanHtml(this.area);
  }

  /** True when the user has written nothing (signature and quote aside). */
  isEmpty() {
    return this.text().trim() === '';
  }

  /**
   * Replaces the content.
   * @param {{text?: string, fragment?: DocumentFragment, signature?: {text: string, html: string}|null,
   *   quote?: {intro: string, header: string[], fragment: DocumentFragment, text: string, forward: boolean}|null}} c
   */
  setContent(c) {
    if (this.rich) {
      const parts = [];
      parts.push(c.fragment ?? (c.text ? fragmentFromText(c.text) : h('p', null, h('br'))));
      if (c.signature && (c.signature.html || c.signature.text)) parts.push(signatureBlock(c.signature.html, c.signature.text));
      if (c.quote) {
        parts.push(h('p', null, c.quote.intro, c.quote.header.map((l) => [h('br'), l])));
        if (c.quote.forward) {
          parts.push(c.quote.fragment);
        } else {
          const bq = h('blockquote', null);
          bq.appendChild(c.quote.fragment);
          parts.push(bq);
        }
      }
      this.area.replaceChildren(...parts);
    } else {
      let t = c.text ?? (c.fragment ? toPlainText(wrap(c.fragment)) : '');
      if (c.signature && c.signature.text) t += TEXT_SIG + c.signature.text;
      if (c.quote) t += '\n\n' + [c.quote.intro, ...c.quote.header].join('\n') + '\n' + (c.quote.forward ? '\n' : '') + c.quote.text;
      this.textarea.value = t;
    }
  }

  /**
   * Swaps the signature for another identity's (or removes it).
   * @param {{text: string, html: string}|null} sig
   */
  setSignature(sig) {
    const has = sig && (sig.html || sig.text);
    if (this.rich) {
      const old = [...this.area.children].find((n) => n instanceof HTMLElement && n.dataset.mark === SIG_MARK);
      const block = has ? signatureBlock(sig.html, sig.text) : null;
      if (old && block) old.replaceWith(block);
      else if (old) old.remove();
      else if (block) {
        // Before the quoted original, if any: the signature belongs to what the user writes.
        const quote = [...this.area.children].find((n) => n.localName === 'blockquote');
        const intro = quote && quote.previousElementSibling;
        this.area.insertBefore(block, intro ?? quote ?? null);
      }
    } else {
      const t = this.textarea.value;
      const cut = t.indexOf(TEXT_SIG);
      const tail = cut >= 0 ? t.slice(cut + TEXT_SIG.length) : '';
      const quoteAt = tail.search(/\n\n(On .* wrote:|-+ ?Forwarded message ?-+)\n/);
      const rest = cut >= 0 && quoteAt >= 0 ? tail.slice(quoteAt) : '';
      const body = cut >= 0 ? t.slice(0, cut) : t;
      this.textarea.value = body + (has && sig?.text ? TEXT_SIG + sig.text : '') + rest;
    }
  }

  focus() {
    const target = this.rich ? this.area : this.textarea;
    target.focus();
    if (this.rich) {
      const s = getSelection();
      const first = this.area.firstChild;
      if (s && first) {
        s.removeAllRanges();
        const r = document.createRange();
        r.setStart(first, 0);
        r.collapse(true);
        s.addRange(r);
      }
    } else {
      this.textarea.setSelectionRange(0, 0);
    }
  }
}

/**
 * @param {string} cmd @param {string} [value]
 */
function exec(cmd, value) {
  // execCommand is the only editing API browsers give contenteditable; its output is rebuilt anyway.
  document.execCommand('styleWithCSS', false, 'false');
  document.execCommand(cmd, false, value);
}

/**
 * @param {HTMLElement} area @param {Node} nodes
 */
function insertNodes(area, nodes) {
  const s = getSelection();
  if (!s || !s.rangeCount || !area.contains(s.anchorNode)) {
    area.appendChild(nodes);
    return;
  }
  const r = s.getRangeAt(0);
  r.deleteContents();
  const last = nodes.lastChild;
  r.insertNode(nodes);
  if (last) {
    r.setStartAfter(last);
    r.collapse(true);
    s.removeAllRanges();
    s.addRange(r);
  }
}

/** @param {DocumentFragment} f */
function wrap(f) {
  const d = document.createElement('div');
  d.appendChild(f);
  return d;
}

/**
 * @param {string|null} html @param {string|null} text
 */
function signatureBlock(html, text) {
  const block = h('div', { dataset: { mark: SIG_MARK }, class: 'signature' }, '-- ', h('br'));
  block.appendChild(html ? fragmentFromHtml(html) : fragmentFromText(text ?? ''));
  return block;
}
