// The widget's stylesheet, scoped to its shadow root. `:host { all: initial }` stops the host page's
// inherited styles (fonts, colours, line heights) from leaking in.
export const STYLES = `
:host { all: initial; }
.rr {
  --accent: #2563eb; --bg: #ffffff; --fg: #111827; --muted: #6b7280; --line: #e5e7eb;
  --bubble: #f3f4f6; --mine: var(--accent); --mine-fg: #ffffff; --code: #f6f8fa;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  position: fixed; bottom: 20px; right: 20px; z-index: 2147483000;
}
.rr.left { right: auto; left: 20px; }
.rr.dark { --bg: #111827; --fg: #f3f4f6; --muted: #9ca3af; --line: #374151; --bubble: #1f2937; --code: #0b1220; }
@media (prefers-color-scheme: dark) {
  .rr.auto { --bg: #111827; --fg: #f3f4f6; --muted: #9ca3af; --line: #374151; --bubble: #1f2937; --code: #0b1220; }
}
* { box-sizing: border-box; }
button { font: inherit; cursor: pointer; }
.launcher {
  width: 56px; height: 56px; border-radius: 50%; border: 0; background: var(--accent); color: #fff;
  box-shadow: 0 6px 20px rgba(0,0,0,.25); display: grid; place-items: center;
}
.launcher svg { width: 26px; height: 26px; fill: currentColor; }
.launcher:focus-visible, button:focus-visible, textarea:focus-visible, a:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.panel {
  position: absolute; bottom: 70px; right: 0; width: 380px; height: min(600px, calc(100vh - 110px));
  background: var(--bg); border: 1px solid var(--line); border-radius: 14px; display: flex; flex-direction: column;
  box-shadow: 0 12px 40px rgba(0,0,0,.25); overflow: hidden;
}
.rr.left .panel { right: auto; left: 0; }
.panel[hidden] { display: none; }
header { display: flex; align-items: center; gap: 8px; padding: 10px 12px; background: var(--accent); color: #fff; }
header h2 { font-size: 15px; margin: 0; flex: 1; font-weight: 600; }
header button { background: transparent; border: 0; color: #fff; padding: 4px 8px; border-radius: 6px; }
header button:hover { background: rgba(255,255,255,.18); }
.log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; }
.msg { max-width: 92%; padding: 8px 11px; border-radius: 12px; background: var(--bubble); overflow-wrap: anywhere; }
.msg.user { align-self: flex-end; background: var(--mine); color: var(--mine-fg); white-space: pre-wrap; }
.msg.error { background: #fee2e2; color: #991b1b; }
.msg p { margin: 0 0 6px; } .msg p:last-child { margin-bottom: 0; }
.msg .rr-h { font-weight: 600; }
.msg blockquote { margin: 0 0 6px; padding-left: 8px; border-left: 3px solid var(--accent); color: var(--fg); }
.msg ul, .msg ol { margin: 0 0 6px; padding-left: 20px; }
.msg code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; background: var(--code); padding: 1px 4px; border-radius: 4px; }
.rr-code { position: relative; margin: 4px 0 8px; }
.rr-code pre { margin: 0; padding: 10px; background: var(--code); border-radius: 8px; overflow-x: auto; }
.rr-code pre code { background: none; padding: 0; }
.rr-copy { position: absolute; top: 4px; right: 4px; font-size: 11px; padding: 2px 6px; border: 1px solid var(--line); background: var(--bg); color: var(--fg); border-radius: 5px; }
a { color: var(--accent); }
.msg.user a { color: inherit; }
sup.cite a { text-decoration: none; font-weight: 600; font-size: 11px; }
.sources { margin-top: 8px; border-top: 1px solid var(--line); padding-top: 6px; font-size: 12.5px; }
.sources ol { margin: 0; padding-left: 18px; }
.sources details summary { cursor: pointer; color: var(--muted); font-size: 12px; }
.sources .snippet { white-space: pre-wrap; color: var(--muted); margin: 4px 0 6px; font-size: 12px; max-height: 140px; overflow-y: auto; }
.meta { display: flex; gap: 6px; align-items: center; margin-top: 6px; color: var(--muted); font-size: 12px; }
.meta button { border: 1px solid var(--line); background: var(--bg); color: var(--fg); border-radius: 6px; padding: 1px 7px; }
.meta .thumb { display: inline-grid; place-items: center; padding: 3px 6px; }
.meta .thumb.down svg { transform: rotate(180deg); }
.meta button[aria-pressed="true"] { background: var(--accent); color: #fff; border-color: var(--accent); }
.reading { color: var(--muted); font-style: italic; }
.draft { color: var(--muted); }
.typing::after { content: "▍"; animation: blink 1s steps(2) infinite; }
@keyframes blink { 50% { opacity: 0; } }
form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid var(--line); }
textarea {
  flex: 1; resize: none; min-height: 40px; max-height: 120px; padding: 9px 10px; border: 1px solid var(--line);
  border-radius: 10px; font: inherit; background: var(--bg); color: var(--fg);
}
form button { border: 0; background: var(--accent); color: #fff; border-radius: 10px; padding: 0 14px; }
form button:disabled { opacity: .5; cursor: default; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 480px) {
  .rr { bottom: 12px; right: 12px; }
  .panel { position: fixed; inset: 0; width: 100vw; height: 100dvh; border-radius: 0; border: 0; }
  .rr.left .panel { left: 0; }
}
`;
