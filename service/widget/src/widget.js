// roadmap-rag chat widget: one <script> tag adds a launcher and a chat panel inside a shadow root.
// Answers stream from POST /v1/ask (SSE over fetch), the sentence being written shows muted until it
// passes the server's check, sources show as numbered links, thumbs go to
// POST /v1/feedback, and the conversation lives in sessionStorage.
import { renderMarkdown, safeUrl } from "./markdown.js";
import { STYLES } from "./styles.js";

const VERSION = __WIDGET_VERSION__;
const MAX_HISTORY = 10;
const THUMB = '<svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true"><path fill="currentColor" d="M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 8 6 8.5 6 9v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z"/></svg>';
const ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

function readConfig(script) {
  const d = (script && script.dataset) || {};
  const origin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  const accent = d.accent && window.CSS && CSS.supports("color", d.accent) ? d.accent : "";
  return {
    api: (d.api || origin).replace(/\/+$/, ""),
    title: d.title || "Roadmap assistant",
    greeting: d.greeting || "Hi! Ask me anything about the data-science roadmap and its framework docs.",
    placeholder: d.placeholder || "Ask a question…",
    theme: ["light", "dark"].includes(d.theme) ? d.theme : "auto",
    position: d.position === "left" ? "left" : "right",
    accent,
    pageContext: d.pageContext !== "off",
    pageUrl: d.pageUrl || "",
  };
}

// A citation's public URL, or else the service's own view of the indexed document with the span marked.
function citationHref(api, c) {
  const url = safeUrl(c.url);
  if (url) return url;
  if (!c.source) return "";
  const q = new URLSearchParams({ source: c.source, start: String(c.start || 0), end: String(c.end || 0) });
  return `${api}/v1/documents/view?${q}#cited`;
}

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

// Parses a text/event-stream body into {event, data} objects as chunks arrive.
async function* readEvents(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
    }
  }
}

async function errorText(res) {
  try {
    const body = await res.json();
    const detail = body && body.detail;
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) return detail.map((d) => d.msg || JSON.stringify(d)).join("; ");
  } catch (_) { /* not JSON */ }
  return `the assistant answered HTTP ${res.status}`;
}

class ChatWidget {
  constructor(cfg) {
    this.cfg = cfg;
    this.key = `roadmap-rag:${cfg.api}`;
    this.messages = this.load();
    this.busy = false;
    this.build();
  }

  load() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(this.key) || "[]");
      return Array.isArray(saved) ? saved : [];
    } catch (_) {
      return [];
    }
  }

  save() {
    try {
      sessionStorage.setItem(this.key, JSON.stringify(this.messages.slice(-2 * MAX_HISTORY)));
    } catch (_) { /* storage full or disabled: the chat still works for this page */ }
  }

  build() {
    this.host = el("div", { id: "roadmap-rag-widget" });
    // Inline !important beats the host page's own !important rules on the host element.
    this.host.style.setProperty("display", "block", "important");
    this.host.style.setProperty("visibility", "visible", "important");
    const root = this.host.attachShadow({ mode: "open" });
    const style = el("style");
    style.textContent = STYLES;
    const wrap = el("div", { class: `rr ${this.cfg.theme} ${this.cfg.position}` });
    if (this.cfg.accent) wrap.style.setProperty("--accent", this.cfg.accent);

    this.launcher = el("button", { class: "launcher", type: "button", "aria-label": `Open ${this.cfg.title}`,
      "aria-expanded": "false", "aria-controls": "rr-panel" });
    this.launcher.innerHTML = ICON; // a constant, never data
    this.panel = el("section", { class: "panel", id: "rr-panel", role: "dialog", "aria-labelledby": "rr-title" });
    this.panel.hidden = true;

    const header = el("header");
    const newChat = el("button", { type: "button", "aria-label": "Start a new chat" }, "New chat");
    const close = el("button", { type: "button", "aria-label": "Close chat" }, "✕");
    header.append(el("h2", { id: "rr-title" }, this.cfg.title), newChat, close);

    this.log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
    this.form = el("form", { "aria-label": "Ask a question" });
    const label = el("label", { class: "sr", for: "rr-input" }, "Your question");
    this.input = el("textarea", { id: "rr-input", rows: "1", placeholder: this.cfg.placeholder, maxlength: "2000" });
    this.send = el("button", { type: "submit", "aria-label": "Send question" }, "Send");
    this.form.append(label, this.input, this.send);
    this.panel.append(header, this.log, this.form);
    wrap.append(this.panel, this.launcher);
    root.append(style, wrap);

    this.launcher.addEventListener("click", () => (this.panel.hidden ? this.open() : this.close()));
    close.addEventListener("click", () => this.close());
    newChat.addEventListener("click", () => this.reset());
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    this.panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        this.close();
      }
    });
    this.renderAll();
    document.body.append(this.host);
  }

  open() {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.setAttribute("aria-label", `Close ${this.cfg.title}`);
    this.input.focus();
    this.log.scrollTop = this.log.scrollHeight;
  }

  close() {
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.setAttribute("aria-label", `Open ${this.cfg.title}`);
    this.launcher.focus();
  }

  reset() {
    this.messages = [];
    this.save();
    this.renderAll();
    this.input.focus();
  }

  renderAll() {
    this.log.replaceChildren();
    this.log.append(this.bubble({ role: "assistant", content: this.cfg.greeting, greeting: true }));
    for (const m of this.messages) this.log.append(this.bubble(m));
  }

  copy(text, button) {
    const done = () => {
      button.textContent = "Copied";
      setTimeout(() => (button.textContent = "Copy"), 1500);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, () => (button.textContent = "Press Ctrl+C"));
    } else button.textContent = "Press Ctrl+C";
  }

  // One message bubble: user text as plain text; answers as safe markdown with sources and thumbs.
  bubble(m) {
    const node = el("div", { class: `msg ${m.role === "user" ? "user" : "bot"}${m.error ? " error" : ""}` });
    if (m.role === "user" || m.error) {
      node.textContent = m.content;
      return node;
    }
    this.fillAnswer(node, m);
    return node;
  }

  fillAnswer(node, m) {
    const citations = m.citations || [];
    const cite = (n) => {
      const c = citations.find((x) => x.n === n);
      const href = c && citationHref(this.cfg.api, c);
      if (!href) return document.createTextNode(`[${n}]`);
      const sup = el("sup", { class: "cite" });
      const a = el("a", { href, target: "_blank", rel: "noopener noreferrer", title: c.snippet || c.title || "",
        "aria-label": `Source ${n}: ${c.title || c.path || ""}` }, `[${n}]`);
      sup.append(a);
      return sup;
    };
    const body = el("div", { class: "body" });
    if (!m.content && !m.draft && m.reading && m.reading.length) {
      // Retrieval is done and the answer is being written: say what is being read instead of an empty bubble.
      const names = m.reading.slice(0, 3).map((s) => s.heading || s.title).filter(Boolean);
      body.append(el("div", { class: "reading" }, `Reading ${names.join(", ")}…`));
    }
    body.append(renderMarkdown(m.content, { cite, copy: (t, b) => this.copy(t, b) }));
    if (m.draft) {
      // The sentence being written, before its check: muted, as plain text, replaced by the checked one.
      const draft = el("span", { class: "draft" }, m.draft);
      let host = body.lastElementChild;
      if (host && host.tagName === "P") host.append(" ");
      else host = body.appendChild(el("p"));
      host.append(draft);
    }
    node.replaceChildren(body);
    if (citations.length) node.append(this.sources(citations));
    if (m.id) node.append(this.meta(m));
  }

  sources(citations) {
    const box = el("div", { class: "sources" });
    box.append(el("div", { class: "label" }, "Sources"));
    const list = el("ol");
    for (const c of citations) {
      const li = el("li", { value: String(c.n) });
      const name = [c.title, (c.heading || "").split(" > ").pop()].filter(Boolean).join(" › ") || c.path || c.source;
      const href = citationHref(this.cfg.api, c);
      if (href) li.append(el("a", { href, target: "_blank", rel: "noopener noreferrer", class: "source-link" }, name));
      else li.append(el("span", {}, name));
      if (c.snippet) {
        const details = el("details");
        details.append(el("summary", {}, "Show snippet"), el("div", { class: "snippet" }, c.snippet));
        li.append(details);
      }
      list.append(li);
    }
    box.append(list);
    return box;
  }

  meta(m) {
    const bar = el("div", { class: "meta" });
    const status = el("span", { "aria-live": "polite" });
    const thumb = (rating, label) => {
      const b = el("button", { type: "button", "aria-label": label, "aria-pressed": String(m.rating === rating),
        "data-rating": rating, class: `thumb ${rating}` });
      b.innerHTML = THUMB; // a constant, never data
      b.addEventListener("click", () => this.rate(m, rating, bar, status));
      return b;
    };
    bar.append(thumb("up", "Helpful answer"), thumb("down", "Unhelpful answer"), status);
    return bar;
  }

  async rate(m, rating, bar, status) {
    try {
      const res = await fetch(`${this.cfg.api}/v1/feedback`, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ answer_id: m.id, rating }),
      });
      if (!res.ok) throw new Error(await errorText(res));
      m.rating = rating;
      this.save();
      for (const b of bar.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.rating === rating));
      status.textContent = "Thanks for the feedback";
    } catch (err) {
      status.textContent = `Feedback not sent: ${err.message}`;
    }
  }

  async submit() {
    const question = this.input.value.trim();
    if (!question || this.busy) return;
    this.busy = true;
    this.send.disabled = true;
    this.input.value = "";
    const history = this.messages.filter((m) => !m.error).slice(-MAX_HISTORY)
      .map((m) => ({ role: m.role, content: m.content.slice(0, 4000) }));
    const mine = { role: "user", content: question };
    this.messages.push(mine);
    this.log.append(this.bubble(mine));
    const answer = { role: "assistant", content: "", citations: [] };
    const node = el("div", { class: "msg bot typing", "aria-busy": "true" });
    this.log.append(node);
    this.log.scrollTop = this.log.scrollHeight;
    try {
      await this.stream(question, history, answer, node);
      this.messages.push(answer);
    } catch (err) {
      const offline = err instanceof TypeError;
      const text = offline
        ? `Cannot reach the assistant at ${this.cfg.api}. Check your connection and try again.`
        : `Sorry, something went wrong: ${err.message}`;
      node.remove();
      const failed = { role: "assistant", content: text, error: true };
      this.log.append(this.bubble(failed));
    } finally {
      node.classList.remove("typing");
      node.removeAttribute("aria-busy");
      this.save();
      this.busy = false;
      this.send.disabled = false;
      this.log.scrollTop = this.log.scrollHeight;
      this.input.focus();
    }
  }

  async stream(question, history, answer, node) {
    const body = { question, history, stream: true };
    if (this.cfg.pageContext) {
      body.page_url = (this.cfg.pageUrl || location.href).slice(0, 2000);
      body.page_title = (document.title || "").slice(0, 500);
    }
    const res = await fetch(`${this.cfg.api}/v1/ask`, {
      method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify(body),
    });
    if (!res.ok || !res.body) throw new Error(await errorText(res));
    for await (const { event, data } of readEvents(res.body)) {
      if (event === "sources") answer.reading = data.sources || [];
      else if (event === "draft") answer.draft = data.text;
      else if (event === "token") Object.assign(answer, { content: answer.content + data.text, draft: "" });
      else if (event === "citations") answer.citations = data.citations || [];
      else if (event === "done") Object.assign(answer, { id: data.id, mode: data.mode, content: data.answer || answer.content, draft: "" });
      else if (event === "error") throw new Error(data.detail || "the answer stream failed");
      this.fillAnswer(node, answer);
      this.log.scrollTop = this.log.scrollHeight;
    }
    if (!answer.id) throw new Error("the answer stream ended early");
  }
}

function mount() {
  if (window.RoadmapRag) return; // one widget per page, even if the tag is pasted twice
  const widget = new ChatWidget(readConfig(currentScript));
  window.RoadmapRag = { version: VERSION, open: () => widget.open(), close: () => widget.close() };
}

const currentScript = document.currentScript;
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
else mount();
