// Files in chat (docs/files.md): a file a message carries, shown as a thumbnail (images, made
// on the server) or a download link with its name and size; and the upload a rep starts from
// the composer (picker, drag and drop, paste). File URLs are signed and live for minutes: they
// are asked for when a file is shown, in one request for every file on screen, and again once
// they are about to expire.
import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { ApiError, api, csrfHeaders } from "../api";
import { IconFile } from "../icons";
import type { FileLinks, MessageFile, MessageOut } from "../types";

type Link = FileLinks["links"][number];
const links = signal<Record<string, Link>>({});
const wanted = new Set<string>();
let timer: ReturnType<typeof setTimeout> | null = null;

function fresh(id: string): boolean {
  const link = links.value[id];
  return !!link && link.expires * 1000 - Date.now() > 60_000;
}

function ask(id: string): void {
  if (fresh(id) || wanted.has(id)) return;
  wanted.add(id);
  timer ??= setTimeout(() => void fetchLinks(), 20); // the files of one render, in one request
}

async function fetchLinks(): Promise<void> {
  timer = null;
  const ids = [...wanted].slice(0, 100);
  ids.forEach((id) => wanted.delete(id));
  if (wanted.size) timer = setTimeout(() => void fetchLinks(), 20);
  try {
    const got = await api<FileLinks>("GET", `/api/files/links?ids=${ids.join(",")}`);
    const next = { ...links.value };
    for (const link of got.links) next[link.id] = link;
    links.value = next;
  } catch {
    // gone (erased) or not ours: the card says the file is unavailable
    const next = { ...links.value };
    for (const id of ids) next[id] = { id, url: "", thumbnail_url: null, expires: Date.now() / 1000 + 3600 };
    links.value = next;
  }
}

export function messageFile(m: MessageOut): MessageFile | null {
  const file = (m.meta as Record<string, unknown> | undefined)?.file as MessageFile | undefined;
  return file && typeof file.id === "string" ? file : null;
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function FileAttachment(props: { file: MessageFile }) {
  const { file } = props;
  const link = links.value[file.id];
  useEffect(() => {
    ask(file.id);
    // ask again shortly before the URLs expire, while the message is on screen
    const renew = link ? Math.max(5_000, link.expires * 1000 - Date.now() - 60_000) : 0;
    if (!renew) return;
    const t = setTimeout(() => ask(file.id), renew);
    return () => clearTimeout(t);
  }, [file.id, link?.expires]);
  if (link && !link.url) {
    return <div class="file-card file-gone">{file.name} · no longer available</div>;
  }
  if (file.kind === "image") {
    const ratio = file.width && file.height ? `${file.width} / ${file.height}` : undefined;
    return (
      <a class="file-image" href={link?.url} target="_blank" rel="noopener noreferrer" aria-label={`Open image ${file.name}`} title={file.name}>
        {link?.thumbnail_url ? (
          <img src={link.thumbnail_url} alt={file.name} loading="lazy" referrerpolicy="no-referrer" style={ratio ? { aspectRatio: ratio } : undefined} />
        ) : (
          <span class="file-thumb-wait" style={ratio ? { aspectRatio: ratio } : undefined} />
        )}
      </a>
    );
  }
  return (
    <a class="file-card" href={link?.url} download={file.name} rel="noopener noreferrer" aria-label={`Download ${file.name} (${fileSize(file.size)})`}>
      <IconFile size={20} />
      <span class="file-text">
        <span class="file-name">{file.name}</span>
        <span class="file-size muted small">{fileSize(file.size)}</span>
      </span>
    </a>
  );
}

// A rep sends a file: multipart to the chat's upload endpoint. The message comes back over
// the socket like any other; an error is thrown with the server's words.
export async function uploadFile(conversationId: string, file: File): Promise<void> {
  const form = new FormData();
  form.append("client_id", Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""));
  form.append("file", file, file.name || "pasted-image.png");
  let res: Response;
  try {
    res = await fetch(`/api/conversations/${conversationId}/files`, { method: "POST", body: form, credentials: "same-origin", headers: csrfHeaders() });
  } catch {
    throw new ApiError(0, "network", "Can't reach the Frontdesk server. Check your connection and try again.");
  }
  if (res.ok) return;
  let message = `Upload failed (${res.status}).`;
  try {
    const data = (await res.json()) as { error?: { message?: string; code?: string } };
    if (data.error?.message) message = data.error.message;
  } catch {
    /* not JSON */
  }
  throw new ApiError(res.status, "upload", message);
}
