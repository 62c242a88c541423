// Files in the messenger (docs/files.md): attach (button, drop, paste), and show a file a
// message carries: an image as its server-made thumbnail, anything else as a download link with
// its name and size. File URLs are signed and short-lived: asked for when a file is shown (one
// request for all on screen), from /widget/files/links with the visitor's token.
import type { Message } from "./types";
import type { Translate } from "./i18n";

type Kid = Node | string | null | undefined | false;
type H = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string | undefined>, ...kids: Kid[]) => HTMLElementTagNameMap[K];
export interface FileMeta {
  id: string;
  name: string;
  size: number;
  kind: string;
  width?: number | null;
  height?: number | null;
}
interface Link {
  id: string;
  url: string;
  thumbnail_url: string | null;
  expires: number;
}

export const fileOf = (m: Message): FileMeta | null => {
  const f = (m.meta as { file?: FileMeta } | undefined)?.file;
  return f && typeof f.id == "string" ? f : null;
};

export const sizeText = (n: number): string => (n < 1024 ? n + " B" : n < 1048576 ? Math.round(n / 1024) + " KB" : (n / 1048576).toFixed(1) + " MB");

export function filesUi(server: string, site: string, token: () => string | undefined, h: H, t: Translate) {
  const links = new Map<string, Link>();
  const waiting = new Map<string, ((l: Link | null) => void)[]>();
  let timer = 0;
  const url = (path: string, q: string) => `${server}/widget/files${path}?site=${encodeURIComponent(site)}&vt=${encodeURIComponent(token() || "")}${q}`;

  async function flush(): Promise<void> {
    timer = 0;
    const ids = [...waiting.keys()].slice(0, 100);
    const calls = ids.map((id) => [id, waiting.get(id)!] as const);
    ids.forEach((id) => waiting.delete(id));
    let got: Link[] = [];
    try {
      const r = await fetch(url("/links", "&ids=" + ids.join(",")));
      if (r.ok) got = ((await r.json()) as { links: Link[] }).links;
    } catch {
      /* offline: shown as unavailable */
    }
    for (const l of got) links.set(l.id, l);
    for (const [id, fns] of calls) fns.forEach((fn) => fn(links.get(id) || null));
  }

  function link(id: string): Promise<Link | null> {
    const l = links.get(id);
    if (l && l.expires * 1000 - Date.now() > 60000) return Promise.resolve(l);
    return new Promise((done) => {
      waiting.set(id, [...(waiting.get(id) || []), done]);
      timer ||= window.setTimeout(() => void flush(), 20);
    });
  }

  // A file a message carries. `onLoad`: the thumbnail arrived (the log scrolls to keep it in view).
  function view(f: FileMeta, onLoad: () => void): HTMLElement {
    const a = h("a", { class: f.kind == "image" ? "fimg" : "fcard", target: "_blank", rel: "noopener noreferrer", "aria-label": t(f.kind == "image" ? "fileOpenImage" : "fileDownload", { name: f.name }) });
    if (f.kind == "image") {
      const img = h("img", { alt: f.name, referrerpolicy: "no-referrer" });
      if (f.width && f.height) img.width = Math.min(240, f.width), img.height = Math.round((Math.min(240, f.width) * f.height) / f.width);
      img.addEventListener("load", onLoad);
      a.append(img);
    } else {
      a.setAttribute("download", f.name);
      a.append(h("span", { class: "fn" }, f.name), h("span", { class: "fs" }, sizeText(f.size)));
    }
    const fill = (l: Link | null) => {
      if (!l) return a.replaceWith(h("span", { class: "img-failed" }, t("fileUnavailable", { name: f.name })));
      a.href = server + l.url;
      const img = a.querySelector("img");
      if (img && l.thumbnail_url) img.src = server + l.thumbnail_url;
    };
    void link(f.id).then(fill);
    // an old link: fetch a fresh one before it is followed
    a.addEventListener("click", (e) => {
      const l = links.get(f.id);
      if (l && l.expires * 1000 - Date.now() > 30000) return;
      e.preventDefault();
      links.delete(f.id);
      void link(f.id).then((fresh) => fresh && (fill(fresh), a.click()));
    });
    return a;
  }

  // Sends one file as a message of the chat; the stored message, or an Error with the server's words.
  async function upload(file: File, clientId: string): Promise<Message> {
    const form = new FormData();
    form.append("client_id", clientId);
    form.append("file", file, file.name || "image.png");
    let r: Response;
    try {
      r = await fetch(url("", ""), { method: "POST", body: form });
    } catch {
      throw new Error(t("fileNoConnection"));
    }
    const data = (await r.json().catch(() => null)) as { message?: Message; error?: { message?: string } } | null;
    if (!r.ok || !data?.message) throw new Error(data?.error?.message || t("refused"));
    return data.message;
  }

  return { view, upload };
}
