// A small markdown renderer that builds DOM nodes and never parses HTML: every piece of answer or
// source text reaches the page through textContent, so `<img src=x onerror=...>` stays text.

const SAFE_URL = /^(https?:\/\/|\/|#)/i;

export function safeUrl(url) {
  const u = String(url || "").trim();
  return SAFE_URL.test(u) ? u : "";
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Inline spans: `code`, **bold**, [text](url) and citation markers [n].
const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\[([^\]]+)\]\(([^)\s]+)\))|(\[(\d{1,2})\])/g;

export function renderInline(text, parent, cite) {
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) parent.append(document.createTextNode(text.slice(last, m.index)));
    if (m[1]) parent.append(el("code", "", m[1].slice(1, -1)));
    else if (m[2]) parent.append(el("strong", "", m[2].slice(2, -2)));
    else if (m[3]) {
      const href = safeUrl(m[5]);
      if (href) {
        const a = el("a", "", m[4]);
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        parent.append(a);
      } else parent.append(document.createTextNode(m[4]));
    } else if (m[6]) parent.append(cite ? cite(Number(m[7])) : document.createTextNode(m[6]));
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
  return parent;
}

function codeBlock(lang, lines, copy) {
  const wrap = el("div", "rr-code");
  const pre = el("pre");
  const code = el("code", lang ? `lang-${lang.replace(/[^\w-]/g, "")}` : "", lines.join("\n"));
  pre.append(code);
  const btn = el("button", "rr-copy", "Copy");
  btn.type = "button";
  btn.setAttribute("aria-label", "Copy code");
  btn.addEventListener("click", () => copy(lines.join("\n"), btn));
  wrap.append(btn, pre);
  return wrap;
}

// Block structure: fenced code, blockquotes, lists, headings and paragraphs.
export function renderMarkdown(text, { cite, copy } = {}) {
  const root = document.createDocumentFragment();
  const lines = String(text || "").replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = line.match(/^\s*(```|~~~)\s*([\w+-]*)\s*$/);
    if (fence) {
      const body = [];
      i += 1;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      i += 1;
      root.append(codeBlock(fence[2], body, copy || (() => {})));
      continue;
    }
    if (!line.trim()) { i += 1; continue; }
    if (/^\s*>/.test(line)) {
      const quote = el("blockquote");
      while (i < lines.length && /^\s*>/.test(lines[i])) {
        renderInline(lines[i].replace(/^\s*>\s?/, ""), quote.appendChild(el("p")), cite);
        i += 1;
      }
      root.append(quote);
      continue;
    }
    const item = /^\s*(?:[-*+]|\d+[.)])\s+/;
    if (item.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const list = el(ordered ? "ol" : "ul");
      while (i < lines.length && item.test(lines[i])) {
        renderInline(lines[i].replace(item, ""), list.appendChild(el("li")), cite);
        i += 1;
      }
      root.append(list);
      continue;
    }
    const heading = line.match(/^#{1,6}\s+(.*)$/);
    if (heading) {
      renderInline(heading[1], root.appendChild(el("p", "rr-h")), cite);
      i += 1;
      continue;
    }
    const para = [];
    while (i < lines.length && lines[i].trim() && !/^\s*(```|~~~|>|[-*+]\s|\d+[.)]\s|#{1,6}\s)/.test(lines[i])) {
      para.push(lines[i++].trim());
    }
    if (!para.length) para.push(lines[i++].trim());
    renderInline(para.join(" "), root.appendChild(el("p")), cite);
  }
  return root;
}
