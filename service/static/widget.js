/* roadmap-rag widget 0.1.0 */
(()=>{var C=/^(https?:\/\/|\/|#)/i;function g(c){let e=String(c||"").trim();return C.test(e)?e:""}function d(c,e,r){let t=document.createElement(c);return e&&(t.className=e),r!==void 0&&(t.textContent=r),t}var E=/(`[^`]+`)|(\*\*[^*]+\*\*)|(\[([^\]]+)\]\(([^)\s]+)\))|(\[(\d{1,2})\])/g;function u(c,e,r){let t=0;for(let i of c.matchAll(E)){if(i.index>t&&e.append(document.createTextNode(c.slice(t,i.index))),i[1])e.append(d("code","",i[1].slice(1,-1)));else if(i[2])e.append(d("strong","",i[2].slice(2,-2)));else if(i[3]){let n=g(i[5]);if(n){let o=d("a","",i[4]);o.href=n,o.target="_blank",o.rel="noopener noreferrer",e.append(o)}else e.append(document.createTextNode(i[4]))}else i[6]&&e.append(r?r(Number(i[7])):document.createTextNode(i[6]));t=i.index+i[0].length}return t<c.length&&e.append(document.createTextNode(c.slice(t))),e}function T(c,e,r){let t=d("div","rr-code"),i=d("pre"),n=d("code",c?`lang-${c.replace(/[^\w-]/g,"")}`:"",e.join(`
`));i.append(n);let o=d("button","rr-copy","Copy");return o.type="button",o.setAttribute("aria-label","Copy code"),o.addEventListener("click",()=>r(e.join(`
`),o)),t.append(o,i),t}function x(c,{cite:e,copy:r}={}){let t=document.createDocumentFragment(),i=String(c||"").replace(/\r\n?/g,`
`).split(`
`),n=0;for(;n<i.length;){let o=i[n],s=o.match(/^\s*(```|~~~)\s*([\w+-]*)\s*$/);if(s){let f=[];for(n+=1;n<i.length&&!i[n].trim().startsWith(s[1]);)f.push(i[n++]);n+=1,t.append(T(s[2],f,r||(()=>{})));continue}if(!o.trim()){n+=1;continue}if(/^\s*>/.test(o)){let f=d("blockquote");for(;n<i.length&&/^\s*>/.test(i[n]);)u(i[n].replace(/^\s*>\s?/,""),f.appendChild(d("p")),e),n+=1;t.append(f);continue}let l=/^\s*(?:[-*+]|\d+[.)])\s+/;if(l.test(o)){let f=/^\s*\d/.test(o),m=d(f?"ol":"ul");for(;n<i.length&&l.test(i[n]);)u(i[n].replace(l,""),m.appendChild(d("li")),e),n+=1;t.append(m);continue}let p=o.match(/^#{1,6}\s+(.*)$/);if(p){u(p[1],t.appendChild(d("p","rr-h")),e),n+=1;continue}let h=[];for(;n<i.length&&i[n].trim()&&!/^\s*(```|~~~|>|[-*+]\s|\d+[.)]\s|#{1,6}\s)/.test(i[n]);)h.push(i[n++].trim());h.length||h.push(i[n++].trim()),u(h.join(" "),t.appendChild(d("p")),e)}return t}var v=`
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
.typing::after { content: "\u258D"; animation: blink 1s steps(2) infinite; }
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
`;var $="0.1.0",y=10,A='<svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true"><path fill="currentColor" d="M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 8 6 8.5 6 9v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z"/></svg>',N='<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';function L(c){let e=c&&c.dataset||{},r=c&&c.src?new URL(c.src,location.href).origin:location.origin,t=e.accent&&window.CSS&&CSS.supports("color",e.accent)?e.accent:"";return{api:(e.api||r).replace(/\/+$/,""),title:e.title||"Roadmap assistant",greeting:e.greeting||"Hi! Ask me anything about the data-science roadmap and its framework docs.",placeholder:e.placeholder||"Ask a question\u2026",theme:["light","dark"].includes(e.theme)?e.theme:"auto",position:e.position==="left"?"left":"right",accent:t,pageContext:e.pageContext!=="off",pageUrl:e.pageUrl||""}}function w(c,e){let r=g(e.url);if(r)return r;if(!e.source)return"";let t=new URLSearchParams({source:e.source,start:String(e.start||0),end:String(e.end||0)});return`${c}/v1/documents/view?${t}#cited`}function a(c,e={},r){let t=document.createElement(c);for(let[i,n]of Object.entries(e))i==="class"?t.className=n:t.setAttribute(i,n);return r!==void 0&&(t.textContent=r),t}async function*O(c){let e=c.getReader(),r=new TextDecoder,t="";for(;;){let{value:i,done:n}=await e.read();if(n)break;t+=r.decode(i,{stream:!0}).replace(/\r\n?/g,`
`);let o;for(;(o=t.indexOf(`

`))>=0;){let s=t.slice(0,o);t=t.slice(o+2);let l="message",p=[];for(let h of s.split(`
`))h.startsWith("event:")?l=h.slice(6).trim():h.startsWith("data:")&&p.push(h.slice(5).replace(/^ /,""));p.length&&(yield{event:l,data:JSON.parse(p.join(`
`))})}}}async function k(c){try{let e=await c.json(),r=e&&e.detail;if(typeof r=="string")return r;if(Array.isArray(r))return r.map(t=>t.msg||JSON.stringify(t)).join("; ")}catch{}return`the assistant answered HTTP ${c.status}`}var b=class{constructor(e){this.cfg=e,this.key=`roadmap-rag:${e.api}`,this.messages=this.load(),this.busy=!1,this.build()}load(){try{let e=JSON.parse(sessionStorage.getItem(this.key)||"[]");return Array.isArray(e)?e:[]}catch{return[]}}save(){try{sessionStorage.setItem(this.key,JSON.stringify(this.messages.slice(-2*y)))}catch{}}build(){this.host=a("div",{id:"roadmap-rag-widget"}),this.host.style.setProperty("display","block","important"),this.host.style.setProperty("visibility","visible","important");let e=this.host.attachShadow({mode:"open"}),r=a("style");r.textContent=v;let t=a("div",{class:`rr ${this.cfg.theme} ${this.cfg.position}`});this.cfg.accent&&t.style.setProperty("--accent",this.cfg.accent),this.launcher=a("button",{class:"launcher",type:"button","aria-label":`Open ${this.cfg.title}`,"aria-expanded":"false","aria-controls":"rr-panel"}),this.launcher.innerHTML=N,this.panel=a("section",{class:"panel",id:"rr-panel",role:"dialog","aria-labelledby":"rr-title"}),this.panel.hidden=!0;let i=a("header"),n=a("button",{type:"button","aria-label":"Start a new chat"},"New chat"),o=a("button",{type:"button","aria-label":"Close chat"},"\u2715");i.append(a("h2",{id:"rr-title"},this.cfg.title),n,o),this.log=a("div",{class:"log",role:"log","aria-live":"polite","aria-label":"Conversation"}),this.form=a("form",{"aria-label":"Ask a question"});let s=a("label",{class:"sr",for:"rr-input"},"Your question");this.input=a("textarea",{id:"rr-input",rows:"1",placeholder:this.cfg.placeholder,maxlength:"2000"}),this.send=a("button",{type:"submit","aria-label":"Send question"},"Send"),this.form.append(s,this.input,this.send),this.panel.append(i,this.log,this.form),t.append(this.panel,this.launcher),e.append(r,t),this.launcher.addEventListener("click",()=>this.panel.hidden?this.open():this.close()),o.addEventListener("click",()=>this.close()),n.addEventListener("click",()=>this.reset()),this.form.addEventListener("submit",l=>{l.preventDefault(),this.submit()}),this.input.addEventListener("keydown",l=>{l.key==="Enter"&&!l.shiftKey&&!l.isComposing&&(l.preventDefault(),this.submit())}),this.panel.addEventListener("keydown",l=>{l.key==="Escape"&&(l.stopPropagation(),this.close())}),this.renderAll(),document.body.append(this.host)}open(){this.panel.hidden=!1,this.launcher.setAttribute("aria-expanded","true"),this.launcher.setAttribute("aria-label",`Close ${this.cfg.title}`),this.input.focus(),this.log.scrollTop=this.log.scrollHeight}close(){this.panel.hidden=!0,this.launcher.setAttribute("aria-expanded","false"),this.launcher.setAttribute("aria-label",`Open ${this.cfg.title}`),this.launcher.focus()}reset(){this.messages=[],this.save(),this.renderAll(),this.input.focus()}renderAll(){this.log.replaceChildren(),this.log.append(this.bubble({role:"assistant",content:this.cfg.greeting,greeting:!0}));for(let e of this.messages)this.log.append(this.bubble(e))}copy(e,r){let t=()=>{r.textContent="Copied",setTimeout(()=>r.textContent="Copy",1500)};navigator.clipboard&&navigator.clipboard.writeText?navigator.clipboard.writeText(e).then(t,()=>r.textContent="Press Ctrl+C"):r.textContent="Press Ctrl+C"}bubble(e){let r=a("div",{class:`msg ${e.role==="user"?"user":"bot"}${e.error?" error":""}`});return e.role==="user"||e.error?(r.textContent=e.content,r):(this.fillAnswer(r,e),r)}fillAnswer(e,r){let t=r.citations||[],i=o=>{let s=t.find(f=>f.n===o),l=s&&w(this.cfg.api,s);if(!l)return document.createTextNode(`[${o}]`);let p=a("sup",{class:"cite"}),h=a("a",{href:l,target:"_blank",rel:"noopener noreferrer",title:s.snippet||s.title||"","aria-label":`Source ${o}: ${s.title||s.path||""}`},`[${o}]`);return p.append(h),p},n=a("div",{class:"body"});if(!r.content&&!r.draft&&r.reading&&r.reading.length){let o=r.reading.slice(0,3).map(s=>s.heading||s.title).filter(Boolean);n.append(a("div",{class:"reading"},`Reading ${o.join(", ")}\u2026`))}if(n.append(x(r.content,{cite:i,copy:(o,s)=>this.copy(o,s)})),r.draft){let o=a("span",{class:"draft"},r.draft),s=n.lastElementChild;s&&s.tagName==="P"?s.append(" "):s=n.appendChild(a("p")),s.append(o)}e.replaceChildren(n),t.length&&e.append(this.sources(t)),r.id&&e.append(this.meta(r))}sources(e){let r=a("div",{class:"sources"});r.append(a("div",{class:"label"},"Sources"));let t=a("ol");for(let i of e){let n=a("li",{value:String(i.n)}),o=[i.title,(i.heading||"").split(" > ").pop()].filter(Boolean).join(" \u203A ")||i.path||i.source,s=w(this.cfg.api,i);if(s?n.append(a("a",{href:s,target:"_blank",rel:"noopener noreferrer",class:"source-link"},o)):n.append(a("span",{},o)),i.snippet){let l=a("details");l.append(a("summary",{},"Show snippet"),a("div",{class:"snippet"},i.snippet)),n.append(l)}t.append(n)}return r.append(t),r}meta(e){let r=a("div",{class:"meta"}),t=a("span",{"aria-live":"polite"}),i=(n,o)=>{let s=a("button",{type:"button","aria-label":o,"aria-pressed":String(e.rating===n),"data-rating":n,class:`thumb ${n}`});return s.innerHTML=A,s.addEventListener("click",()=>this.rate(e,n,r,t)),s};return r.append(i("up","Helpful answer"),i("down","Unhelpful answer"),t),r}async rate(e,r,t,i){try{let n=await fetch(`${this.cfg.api}/v1/feedback`,{method:"POST",headers:{"content-type":"application/json"},body:JSON.stringify({answer_id:e.id,rating:r})});if(!n.ok)throw new Error(await k(n));e.rating=r,this.save();for(let o of t.querySelectorAll("button"))o.setAttribute("aria-pressed",String(o.dataset.rating===r));i.textContent="Thanks for the feedback"}catch(n){i.textContent=`Feedback not sent: ${n.message}`}}async submit(){let e=this.input.value.trim();if(!e||this.busy)return;this.busy=!0,this.send.disabled=!0,this.input.value="";let r=this.messages.filter(o=>!o.error).slice(-y).map(o=>({role:o.role,content:o.content.slice(0,4e3)})),t={role:"user",content:e};this.messages.push(t),this.log.append(this.bubble(t));let i={role:"assistant",content:"",citations:[]},n=a("div",{class:"msg bot typing","aria-busy":"true"});this.log.append(n),this.log.scrollTop=this.log.scrollHeight;try{await this.stream(e,r,i,n),this.messages.push(i)}catch(o){let l=o instanceof TypeError?`Cannot reach the assistant at ${this.cfg.api}. Check your connection and try again.`:`Sorry, something went wrong: ${o.message}`;n.remove();let p={role:"assistant",content:l,error:!0};this.log.append(this.bubble(p))}finally{n.classList.remove("typing"),n.removeAttribute("aria-busy"),this.save(),this.busy=!1,this.send.disabled=!1,this.log.scrollTop=this.log.scrollHeight,this.input.focus()}}async stream(e,r,t,i){let n={question:e,history:r,stream:!0};this.cfg.pageContext&&(n.page_url=(this.cfg.pageUrl||location.href).slice(0,2e3),n.page_title=(document.title||"").slice(0,500));let o=await fetch(`${this.cfg.api}/v1/ask`,{method:"POST",headers:{"content-type":"application/json",accept:"text/event-stream"},body:JSON.stringify(n)});if(!o.ok||!o.body)throw new Error(await k(o));for await(let{event:s,data:l}of O(o.body)){if(s==="sources")t.reading=l.sources||[];else if(s==="draft")t.draft=l.text;else if(s==="token")Object.assign(t,{content:t.content+l.text,draft:""});else if(s==="citations")t.citations=l.citations||[];else if(s==="done")Object.assign(t,{id:l.id,mode:l.mode,content:l.answer||t.content,draft:""});else if(s==="error")throw new Error(l.detail||"the answer stream failed");this.fillAnswer(i,t),this.log.scrollTop=this.log.scrollHeight}if(!t.id)throw new Error("the answer stream ended early")}};function S(){if(window.RoadmapRag)return;let c=new b(L(_));window.RoadmapRag={version:$,open:()=>c.open(),close:()=>c.close()}}var _=document.currentScript;document.readyState==="loading"?document.addEventListener("DOMContentLoaded",S):S();})();
