// The messenger's styles, adopted into the loader's shadow root as a constructable sheet (works
// under a CSP without 'unsafe-inline'). The page's CSS cannot reach in here.
// Colours meet WCAG AA: body text #111827 and muted #4b5563 on white/#f8fafc, meta #6b7280
// (>= 4.6:1), input borders #8b93a1 (>= 3:1), the accent is picked with white text >= 4.5:1.
// Right to left (ar, he: dir="rtl" on the panel, preview and launcher) mirrors by itself: sides
// are logical (inline-start/end); only the panel's anchor stays right, where the loader puts it.
export const MESSENGER_CSS = `
*{box-sizing:border-box}
.panel,.preview,.badge{font:15px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#111827}
.launcher{transition:transform .18s ease}
.launcher:hover{transform:scale(1.06)}
[hidden]{display:none!important}
button{font:inherit;color:inherit;background:none;border:0;padding:0;margin:0;cursor:pointer}
:focus-visible{outline:2px solid var(--fd-accent);outline-offset:2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
svg.i{fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.launcher svg.i{fill:none;width:26px;height:26px}
.badge{position:absolute;top:-3px;inset-inline-end:-3px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;
  background:#dc2626;color:#fff;font-size:12px;font-weight:700;line-height:18px;text-align:center;border:2px solid #fff}

.panel{position:absolute;right:0;bottom:76px;width:380px;height:min(640px,calc(100vh - 120px));
  display:flex;flex-direction:column;background:#fff;color:#111827;border-radius:18px;overflow:hidden;
  box-shadow:0 24px 64px rgba(15,23,42,.24),0 4px 14px rgba(15,23,42,.10);
  transform-origin:bottom right;animation:fdin .2s ease-out}
@keyframes fdin{from{opacity:0;transform:translateY(12px) scale(.97)}}

.head{display:flex;align-items:center;gap:6px;padding:16px;padding-inline:18px 12px;color:var(--fd-on-accent);
  background:var(--fd-accent);background:linear-gradient(135deg,var(--fd-accent),color-mix(in srgb,var(--fd-accent) 72%,#000))}
.who{display:flex;align-items:center;gap:12px;flex:1;min-width:0}
.names{min-width:0}
.title{font-size:16.5px;font-weight:700;letter-spacing:-.01em;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.sub{font-size:13px;line-height:1.3;opacity:.92;overflow-wrap:anywhere} /* wraps: some languages say it in more words */
.head-av{position:relative;flex:none}
.head-av .av{width:40px;height:40px;font-size:14px;box-shadow:0 0 0 2px rgba(255,255,255,.7)}
.head-av.on::after{content:"";position:absolute;inset-inline-end:-1px;bottom:-1px;width:11px;height:11px;border-radius:50%;background:#22c55e;border:2px solid #fff}
.ib{display:grid;place-items:center;width:36px;height:36px;border-radius:10px;flex:none}
.ib:hover{background:rgba(255,255,255,.16)}
.ib svg{width:20px;height:20px}
.head :focus-visible{outline-color:var(--fd-on-accent)}

.status{padding:7px 16px;background:#fef3c7;color:#92400e;font-size:13px;text-align:center}
.log{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:18px 16px 10px;background:#f8fafc}
.log:focus-visible{outline-offset:-2px}
.intro{background:#fff;border:1px solid #e5e7eb;border-radius:14px;padding:14px 16px;margin-bottom:6px;
  box-shadow:0 1px 2px rgba(15,23,42,.04)}
.hello{font-size:17px;font-weight:700;letter-spacing:-.01em;margin-bottom:4px}
.intro p{margin:0;color:#4b5563;font-size:14px}
.ended{color:#4b5563;font-size:13px;text-align:center;margin:14px 0 4px}

.row{display:flex;align-items:flex-start;gap:8px;margin-top:14px}
.row.cont{margin-top:3px}
.row.cont .meta{display:none}
.row.cont .av{visibility:hidden}
.row.me{flex-direction:row-reverse}
.col{display:flex;flex-direction:column;align-items:flex-start;max-width:78%;min-width:0}
.me .col{align-items:flex-end}
.meta{font-size:12px;color:#6b7280;margin:0 4px 4px}
.an{font-weight:600;color:#374151}
.bubble{padding:9px 13px;border-radius:18px;font-size:14.5px;line-height:1.45;overflow-wrap:anywhere;max-width:100%}
.them .bubble{background:#fff;border:1px solid #e5e7eb;border-start-start-radius:6px;box-shadow:0 1px 2px rgba(15,23,42,.05)}
.them.cont .bubble{border-start-start-radius:18px}
.me .bubble{background:var(--fd-accent);color:var(--fd-on-accent);border-start-end-radius:6px}
.pending .bubble{white-space:pre-wrap}
.me.cont .bubble{border-start-end-radius:18px}
.sys{justify-content:center}
.sys .col{align-items:center;max-width:90%}
.sys .meta{display:none}
.sys .bubble{background:none;color:#4b5563;font-size:13px;padding:2px 8px;text-align:center}
.bubble p,.bubble ul,.bubble ol,.bubble pre,.bubble blockquote{margin:0 0 .5em}
.bubble>:last-child{margin-bottom:0}
.bubble ul,.bubble ol{padding-inline-start:1.3em}
.bubble a{color:inherit;text-decoration:underline;text-underline-offset:2px}
.them .bubble a{color:#1d4ed8}
.bubble img{display:block;max-width:100%;height:auto;border-radius:10px;margin:4px 0}
.img-failed{display:block;margin:4px 0;padding:6px 10px;border:1px dashed #d1d5db;border-radius:8px;background:#f9fafb;color:#4b5563;font-size:13px}
.bubble code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:rgba(15,23,42,.07);padding:1px 4px;border-radius:4px}
.me .bubble code{background:rgba(255,255,255,.18)}
.bubble pre{white-space:pre-wrap;background:rgba(15,23,42,.06);padding:8px 10px;border-radius:8px}
.bubble pre code{background:none;padding:0}
.bubble blockquote{border-inline-start:3px solid currentColor;padding-inline-start:10px;opacity:.9}
.pending .bubble{opacity:.85} /* still >= 4.5:1 text contrast */
.state{font-size:12px;color:#6b7280;margin:3px 4px 0;text-align:end}
.failed .state{color:#b91c1c}
.retry{text-decoration:underline;font-weight:600}
.bot-note{display:flex;flex-wrap:wrap;align-items:center;gap:6px 10px;margin:5px 2px 0;font-size:12px;color:#6b7280}
.human{padding:5px 12px;border-radius:999px;border:1px solid var(--fd-accent);color:var(--fd-accent);background:#fff;font-weight:600;font-size:13px}
.human:hover{background:#f3f4f6}

.av{display:inline-grid;place-items:center;flex:none;width:30px;height:30px;border-radius:50%;color:#fff;
  font-size:12px;font-weight:700;letter-spacing:.02em;overflow:hidden}
.av img{width:100%;height:100%;object-fit:cover}
.av.bot{background:var(--fd-accent);color:var(--fd-on-accent)}
.av.bot svg{width:18px;height:18px}
.av0{background:#1d4ed8}.av1{background:#6d28d9}.av2{background:#be185d}.av3{background:#047857}.av4{background:#b45309}.av5{background:#0e7490}

.typing{display:flex;align-items:center;gap:8px;padding:2px 20px 8px;background:#f8fafc;color:#4b5563;font-size:13px}
.dots{display:inline-flex;gap:3px;background:#fff;border:1px solid #e5e7eb;border-radius:12px;padding:7px 9px}
.dots i{width:6px;height:6px;border-radius:50%;background:#6b7280;animation:fddot 1.2s infinite}
.dots i:nth-child(2){animation-delay:.15s}.dots i:nth-child(3){animation-delay:.3s}
@keyframes fddot{0%,60%,100%{opacity:.35;transform:none}30%{opacity:1;transform:translateY(-3px)}}

.composer{display:flex;align-items:flex-end;gap:8px;padding:12px;border-top:1px solid #e5e7eb;background:#fff}
textarea{flex:1;resize:none;unicode-bidi:plaintext;font:inherit;font-size:14.5px;line-height:1.4;color:#111827;background:#fff;
  border:1px solid #8b93a1;border-radius:14px;padding:9px 13px;max-height:140px;min-height:40px;outline:none}
textarea::placeholder{color:#6b7280}
textarea:focus-visible,.id-form input:focus-visible{outline:none}
textarea:focus{border-color:var(--fd-accent);box-shadow:0 0 0 3px color-mix(in srgb,var(--fd-accent) 22%,transparent)}
.send{display:grid;place-items:center;width:40px;height:40px;border-radius:50%;flex:none;background:var(--fd-accent);color:var(--fd-on-accent);transition:transform .12s}
.send:hover:not(:disabled){transform:scale(1.06)}
.send:disabled{background:#e5e7eb;color:#6b7280;cursor:default}
.send svg{width:19px;height:19px}
[dir=rtl] .send svg{transform:scaleX(-1)} /* the arrow points the way text runs */
.att{flex:none;align-self:center}
.fimg{display:block;box-sizing:border-box;width:min(240px,100%);border-radius:14px;overflow:hidden;border:1px solid #e5e7eb;background:#f3f4f6;line-height:0}
.fimg img{display:block;width:100%;height:auto;min-height:40px}
.fcard{display:flex;flex-direction:column;max-width:240px;padding:9px 13px;border-radius:14px;border:1px solid #e5e7eb;background:#fff;color:#1d4ed8;text-decoration:none;font-size:14px}
.fcard .fn{font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.fcard .fs{color:#4b5563;font-size:12.5px}
.me .fimg,.me .fcard{margin-inline-start:auto}
.peek{margin:0;padding:6px 14px 0;background:#fff;border-top:1px solid #e5e7eb;color:#4b5563;font-size:12px;text-align:center}
.peek+.composer{border-top:0}
.foot{font-size:11.5px;color:#6b7280;text-align:center;padding:0 0 8px;background:#fff}

.id-card{margin-top:14px;background:#fff;border:1px solid #e5e7eb;border-radius:14px;padding:14px 16px;box-shadow:0 1px 2px rgba(15,23,42,.04)}
.id-title{margin:0 0 10px;font-weight:700;font-size:14px}
.id-form label{display:block;font-size:12.5px;font-weight:600;color:#374151;margin:8px 0 4px}
.id-form input{width:100%;font:inherit;font-size:14px;color:#111827;border:1px solid #8b93a1;border-radius:10px;padding:8px 10px;background:#fff}
.id-form textarea{display:block;width:100%;min-height:76px;max-height:none;border-radius:10px;padding:8px 10px;font-size:14px}
.id-note{margin:-4px 0 6px;color:#4b5563;font-size:13px}
.id-form input:focus{outline:none;border-color:var(--fd-accent);box-shadow:0 0 0 3px color-mix(in srgb,var(--fd-accent) 22%,transparent)}
.id-save{margin-top:12px;width:100%;padding:9px;border-radius:10px;background:var(--fd-accent);color:var(--fd-on-accent);font-weight:600}
.err{color:#b91c1c;font-size:12.5px;margin:6px 0 0}
.err:empty{display:none}
.thanks{margin:0;color:#047857;font-size:14px;font-weight:600}
.rate .id-title{text-align:center}
.rate-scores{display:flex;justify-content:center;gap:8px}
.rate-b{display:flex;flex-direction:column;align-items:center;gap:3px;padding:6px;border-radius:12px;color:#4b5563;min-width:0}
.rate-b:hover{background:#f3f4f6}
.rate-b svg{width:34px;height:34px}
.faces .rate-b{flex:1;font-size:12.5px;font-weight:600}
.faces .rate-b[aria-pressed=true]{background:color-mix(in srgb,var(--fd-accent) 12%,#fff);color:#111827;box-shadow:inset 0 0 0 2px var(--fd-accent)}
.stars .rate-b svg{width:30px;height:30px}
.stars .rate-b.lit{color:#b45309}
.stars .rate-b.lit svg{fill:#f59e0b}
.rate-comment{margin-top:10px}
.rate .thanks{text-align:center}
.bk-row .col{max-width:88%;width:88%}
.bk{margin-top:6px;width:100%;padding:12px 14px}
.bk .id-title{margin:0 0 2px}
.bk-tz{margin:8px 0 6px}
.bk-days{display:flex;gap:6px;overflow-x:auto;padding:2px 0 6px}
.bk-times{display:flex;flex-wrap:wrap;gap:6px;margin-top:4px}
.bk-chip{flex:none;padding:6px 10px;border:1px solid #8b93a1;border-radius:999px;font-size:13px;color:#111827;background:#fff}
.bk-chip[aria-pressed=true]{background:var(--fd-accent);border-color:var(--fd-accent);color:var(--fd-on-accent)}
.bk-chip:focus-visible{outline:2px solid var(--fd-accent);outline-offset:2px}

.preview{position:absolute;right:0;bottom:78px;width:310px;background:#fff;color:#111827;border-radius:16px;
  box-shadow:0 16px 48px rgba(15,23,42,.22),0 2px 8px rgba(15,23,42,.08);animation:fdin .25s ease-out;transform-origin:bottom right}
.pv-body{display:flex;gap:10px;align-items:flex-start;width:100%;text-align:start;padding:14px;padding-inline-end:36px;border-radius:16px}
.pv-main{min-width:0}
.pv-name{font-size:12.5px;font-weight:600;color:#4b5563;margin-bottom:2px}
.pv-text{font-size:14.5px;line-height:1.4;display:-webkit-box;-webkit-line-clamp:3;-webkit-box-orient:vertical;overflow:hidden}
.pv-x{position:absolute;top:8px;inset-inline-end:8px;display:grid;place-items:center;width:26px;height:26px;border-radius:50%;color:#4b5563}
.pv-x:hover{background:#f3f4f6}
.pv-x svg{width:15px;height:15px}

.cv{flex:none;background:#0f172a;color:#fff;padding:10px 12px;display:flex;flex-direction:column;gap:8px}
.cv:fullscreen{justify-content:center}
.cv-stage{position:relative;height:190px;border-radius:12px;overflow:hidden;background:#1e293b;display:grid;place-items:center}
.cv:fullscreen .cv-stage{height:auto;flex:1}
.cv-who .av{width:64px;height:64px;font-size:22px}
.cv-remote{position:absolute;inset:0;width:100%;height:100%;object-fit:contain;background:#000}
.cv-local{position:absolute;right:8px;bottom:8px;width:30%;max-width:120px;aspect-ratio:4/3;object-fit:cover;border-radius:8px;border:2px solid rgba(255,255,255,.85);background:#000}
.cv-state{font-size:14px;font-weight:600;text-align:center}
.cv-incoming,.cv-controls{display:flex;gap:8px;justify-content:center;flex-wrap:wrap}
.cv-join{padding:8px 14px;border-radius:999px;background:#16a34a;color:#fff;font-weight:600;font-size:14px}
.cv-join:hover{background:#15803d}
.cv-no{padding:8px 14px;border-radius:999px;background:rgba(255,255,255,.14);color:#fff;font-size:14px}
.cv-b{display:grid;place-items:center;width:40px;height:40px;border-radius:50%;background:rgba(255,255,255,.16);color:#fff}
.cv-b svg{width:20px;height:20px}
.cv-b.off{background:#fee2e2;color:#b91c1c}
.cv-end{padding:0 18px;height:40px;border-radius:999px;background:#dc2626;color:#fff;font-weight:700}
.cv-end:hover{background:#b91c1c}
.cv :focus-visible{outline-color:#fff}
.cv-err{margin:0;font-size:13px;line-height:1.4;background:#fee2e2;color:#7f1d1d;border-radius:8px;padding:6px 10px}
.cv-note{margin:0;font-size:11.5px;text-align:center;color:#cbd5e1}
.cv-ask{display:flex;flex:none}
.cv-offer{flex:none;display:flex;align-items:center;gap:10px;padding:9px 12px;padding-inline-start:16px;background:#ecfdf5;border-bottom:1px solid #a7f3d0;color:#065f46;font-size:13px}
.cv-offer span{flex:1;min-width:0}
.cv-callus{display:inline-flex;align-items:center;gap:6px;flex:none;padding:7px 14px;border-radius:999px;background:#16a34a;color:#fff;font-weight:700;font-size:14px}
.cv-callus:hover{background:#15803d}
.cv-callus svg{width:16px;height:16px}

.ph{flex:none;padding:8px 12px 10px;padding-inline-start:16px;background:#f8fafc;border-bottom:1px solid #e5e7eb;font-size:13px;color:#1f2937}
.ph-open{display:inline-flex;align-items:center;gap:6px;padding:4px 0;color:#1d4ed8;font-weight:600;font-size:13px;text-decoration:underline;text-underline-offset:2px}
.ph-open svg{width:14px;height:14px}
.ph-form label{display:block;font-size:12.5px;font-weight:600;color:#374151;margin:2px 0 4px}
.ph-row{display:flex;gap:8px}
.ph-row input{flex:1;min-width:0;font:inherit;font-size:14px;color:#111827;border:1px solid #8b93a1;border-radius:10px;padding:7px 10px;background:#fff}
.ph-row input:focus{outline:none;border-color:var(--fd-accent);box-shadow:0 0 0 3px color-mix(in srgb,var(--fd-accent) 22%,transparent)}
.ph-call{flex:none;padding:7px 14px;border-radius:999px;background:#16a34a;color:#fff;font-weight:700;font-size:14px}
.ph-call:hover{background:#15803d}
.ph-call:disabled{opacity:.6}
.ph-hint{margin:4px 0 0;font-size:12px;color:#4b5563}
.ph-status{display:flex;align-items:center;gap:10px;margin-top:4px}
.ph-state{flex:1;min-width:0;margin:0;font-weight:600;color:#065f46}
.ph-hang{flex:none;padding:6px 14px;border-radius:999px;background:#dc2626;color:#fff;font-weight:700;font-size:13px}
.ph-hang:hover{background:#b91c1c}
.ph-err{margin:6px 0 0;font-size:13px;line-height:1.4;background:#fee2e2;color:#7f1d1d;border-radius:8px;padding:6px 10px}

@media (max-width:480px){
  .panel{position:fixed;inset:0;width:auto;height:auto;border-radius:0;animation:none}
  .launcher.open{display:none}
  .preview{width:calc(100vw - 40px)}
}
@media (prefers-reduced-motion:reduce){.launcher,.panel,.preview{animation:none;transition:none}.dots i{animation:none}.send{transition:none}}
`;
