import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { copilotStatus, loadCopilotStatus } from "../../data";
import { pushToast } from "../../store";
import { formatDateTime } from "../../time";
import { IconEdit, IconGlobe, IconPlus, IconSparkles, IconTrash, IconUpload, IconUsers } from "../../icons";
import { Switch } from "../ui";
import type { CopilotAdmin, ImportResult, KnowledgeItemOut, KnowledgeList, WebSourceOut } from "../../types";

// Admin > AI Copilot: on/off for the org, what retrieval runs with, the knowledge base
// (articles and Q&A pairs: add, edit, import CSV or Markdown), website sources with their
// status, and how often each rep used Suggest, Expand and Tune.

const KIND_LABEL: Record<string, string> = { article: "Articles", qa: "Q&A pairs", page: "Web pages", shortcut: "Org Shortcuts", past_answer: "Past answers" };
const KIND_ONE: Record<string, string> = { article: "Article", qa: "Q&A", page: "Web page", shortcut: "Shortcut", past_answer: "Past answer" };

export function CopilotAdminPage() {
  const [data, setData] = useState<CopilotAdmin | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () =>
    api<CopilotAdmin>("GET", "/api/copilot/admin")
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void refresh();
  }, []);

  async function setEnabled(enabled: boolean) {
    try {
      await api("PUT", "/api/copilot/settings", { enabled });
      await refresh();
      void loadCopilotStatus(true).catch(() => null);
    } catch (err) {
      pushToast(errorText(err), "error");
    }
  }

  if (error) {
    return (
      <div class="form-error" role="alert">
        {error}
      </div>
    );
  }
  if (!data) return <div class="muted">Loading…</div>;
  const st = data.status;
  // the switch follows `copilot.changed` too (another admin may flip it while this is open)
  return (
    <>
      <section class="panel" aria-labelledby="cp-status">
        <div class="panel-head">
          <IconSparkles size={15} />
          <h2 id="cp-status">Copilot</h2>
        </div>
        <Switch label="AI Copilot for this org" hint="Suggest, Expand and Tune in every rep's composer" checked={copilotStatus.value?.enabled ?? st.enabled} onChange={(v) => void setEnabled(v)} />
        <div class="kb-stats" aria-label="Copilot status">
          <span>
            Retrieval: <strong>{st.retrieval === "hybrid" ? "keywords + meaning (hybrid)" : "keywords only (BM25)"}</strong>
          </span>
          <span class="muted">Embeddings: {st.embeddings}</span>
          <span class="muted">Grammar: {st.grammar}</span>
          <span>
            AI model: <strong>{st.endpoint ? "configured" : "none"}</strong>{" "}
            <span class="muted">({st.endpoint ? "shared with auto pounce; its texts are checked and fall back to offline" : "works offline; set FRONTDESK_AI_URL to add one"})</span>
          </span>
        </div>
        <div class="kb-stats">
          {data.items.length === 0 ? (
            <span class="muted">No knowledge yet: add articles or Q&A pairs, import a file, or add your website below.</span>
          ) : (
            data.items.map((k) => (
              <span key={k.kind}>
                {KIND_LABEL[k.kind] ?? k.kind}: <strong>{k.items}</strong>
              </span>
            ))
          )}
          <span class="muted">
            {data.passages_indexed} of {data.passages} passages have vectors
          </span>
        </div>
      </section>
      <KnowledgeSection onChanged={() => void refresh()} />
      <WebsiteSection sources={data.sources} onChanged={() => void refresh()} />
      <section class="panel" aria-labelledby="cp-usage">
        <div class="panel-head">
          <IconUsers size={15} />
          <h2 id="cp-usage">Usage per rep</h2>
        </div>
        {data.usage.length === 0 ? (
          <div class="muted small">Nobody has used the copilot yet.</div>
        ) : (
          <table class="table" aria-label="Copilot usage per rep">
            <thead>
              <tr>
                <th scope="col">Rep</th>
                <th scope="col" class="num">Suggest</th>
                <th scope="col" class="num">Expand</th>
                <th scope="col" class="num">Tune</th>
              </tr>
            </thead>
            <tbody>
              {data.usage.map((u) => (
                <tr key={u.rep_id}>
                  <td>{u.name}</td>
                  <td class="num">{u.suggest}</td>
                  <td class="num">{u.expand}</td>
                  <td class="num">{u.tune}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function KnowledgeSection(props: { onChanged: () => void }) {
  const [items, setItems] = useState<KnowledgeItemOut[] | null>(null);
  const [total, setTotal] = useState(0);
  const [kind, setKind] = useState<string>("");
  const [editing, setEditing] = useState<KnowledgeItemOut | "new-article" | "new-qa" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () =>
    api<KnowledgeList>("GET", `/api/copilot/knowledge${kind ? `?kind=${kind}` : ""}`)
      .then((d) => {
        setItems(d.items);
        setTotal(d.total);
      })
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void refresh();
  }, [kind]);

  async function importFile(e: Event) {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    const format = /\.(md|markdown|txt)$/i.test(file.name) ? "markdown" : "csv";
    try {
      const res = await api<ImportResult>("POST", "/api/copilot/knowledge/import", { format, text: await file.text() });
      pushToast(`Imported ${res.created} items (${res.articles} articles, ${res.qa_pairs} Q&A pairs).`, "success");
      await refresh();
      props.onChanged();
    } catch (err) {
      pushToast(`Import failed: ${errorText(err)}`, "error", 9000);
    }
  }
  async function remove(item: KnowledgeItemOut) {
    if (!confirm(`Delete “${item.title}”?`)) return;
    try {
      await api("DELETE", `/api/copilot/knowledge/${encodeURIComponent(item.id)}`);
      await refresh();
      props.onChanged();
    } catch (err) {
      pushToast(errorText(err), "error");
    }
  }

  return (
    <section class="panel" aria-labelledby="cp-kb">
      <div class="panel-head">
        <IconSparkles size={15} />
        <h2 id="cp-kb">Knowledge base</h2>
        <span class="kb-head-actions">
        <button type="button" class="btn btn-secondary btn-sm" onClick={() => setEditing("new-qa")}>
          <IconPlus size={14} /> Q&A pair
        </button>
        <button type="button" class="btn btn-secondary btn-sm" onClick={() => setEditing("new-article")}>
          <IconPlus size={14} /> Article
        </button>
        <label class="btn btn-secondary btn-sm" title="CSV with question,answer or title,body columns; Markdown with # headings (a heading ending in ? is a question)">
          <IconUpload size={14} /> Import
          <input type="file" accept=".csv,.md,.markdown,.txt,text/csv,text/markdown" class="sr-only" aria-label="Import CSV or Markdown" onChange={(e) => void importFile(e)} />
        </label>
        </span>
      </div>
      <p class="muted small">
        What Suggest answers from, with the source shown to the rep. Import a CSV (<code>question,answer</code> or <code>title,body</code>) or Markdown (each <code>#</code> heading starts an item). Org Shortcuts and answers reps gave in ended chats are added on their own.
      </p>
      {editing && (
        <ItemForm
          item={typeof editing === "string" ? null : editing}
          kind={editing === "new-qa" ? "qa" : editing === "new-article" ? "article" : (editing as KnowledgeItemOut).kind}
          onDone={(saved) => {
            setEditing(null);
            if (saved) {
              void refresh();
              props.onChanged();
            }
          }}
        />
      )}
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="toolbar">
        <select class="input input-sm" aria-label="Show" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
          <option value="">All kinds</option>
          {Object.entries(KIND_LABEL).map(([k, l]) => (
            <option key={k} value={k}>
              {l}
            </option>
          ))}
        </select>
        <span class="muted small">{items ? `${Math.min(items.length, total)} of ${total}` : ""}</span>
      </div>
      {items === null ? (
        <div class="muted">Loading…</div>
      ) : items.length === 0 ? (
        <div class="muted small">Nothing here yet.</div>
      ) : (
        <ul class="kb-list" aria-label="Knowledge items">
          {items.map((i) => (
            <li key={i.id} class="kb-item">
              <div>
                <div class="kb-title">
                  <span class="ai-kind">{KIND_ONE[i.kind] ?? i.kind}</span> {i.url ? <a href={i.url} target="_blank" rel="noopener noreferrer">{i.title}</a> : i.title}
                </div>
                <div class="kb-body">{i.body}</div>
                <div class="muted small">
                  Updated {formatDateTime(i.updated_at)} · {i.indexed}/{i.passages} passages with vectors
                </div>
              </div>
              {(i.kind === "article" || i.kind === "qa") && (
                <button type="button" class="icon-btn" aria-label={`Edit ${i.title}`} onClick={() => setEditing(i)}>
                  <IconEdit size={15} />
                </button>
              )}
              {i.kind !== "page" && i.kind !== "shortcut" && (
                <button type="button" class="icon-btn" aria-label={`Delete ${i.title}`} onClick={() => void remove(i)}>
                  <IconTrash size={15} />
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ItemForm(props: { item: KnowledgeItemOut | null; kind: string; onDone: (saved: boolean) => void }) {
  const qa = props.kind === "qa";
  const [title, setTitle] = useState(props.item?.title ?? "");
  const [question, setQuestion] = useState(props.item?.question ?? "");
  const [body, setBody] = useState(props.item?.body ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (props.item) {
        await api("PATCH", `/api/copilot/knowledge/${encodeURIComponent(props.item.id)}`, qa ? { question, title: question, body } : { title, body });
      } else {
        await api("POST", "/api/copilot/knowledge", qa ? { kind: "qa", question, title: question, body } : { kind: "article", title, body });
      }
      props.onDone(true);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="kb-form" aria-label={props.item ? "Edit knowledge item" : qa ? "New Q&A pair" : "New article"} onSubmit={save}>
      {qa ? (
        <label class="field">
          <span>Question</span>
          <input value={question} onInput={(e) => setQuestion((e.target as HTMLInputElement).value)} required maxLength={1000} autoFocus />
        </label>
      ) : (
        <label class="field">
          <span>Title</span>
          <input value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} required maxLength={300} autoFocus />
        </label>
      )}
      <label class="field">
        <span>{qa ? "Answer" : "Text"}</span>
        <textarea value={body} onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} required maxLength={20000} />
      </label>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="kb-actions">
        <button type="submit" class="btn btn-primary btn-sm" disabled={busy}>
          {busy ? "Saving…" : "Save"}
        </button>
        <button type="button" class="btn btn-ghost btn-sm" onClick={() => props.onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function WebsiteSection(props: { sources: WebSourceOut[]; onChanged: () => void }) {
  const [kind, setKind] = useState<"sitemap" | "urls">("sitemap");
  const [urls, setUrls] = useState("");
  const [hours, setHours] = useState("24");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function add(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const list = urls.split(/\s+/).filter(Boolean);
      await api("POST", "/api/copilot/sources", { kind, urls: list, refresh_hours: Number(hours) || 24 });
      setUrls("");
      props.onChanged();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  async function act(s: WebSourceOut, what: "fetch" | "delete") {
    if (what === "delete" && !confirm("Remove this source and the pages taken from it?")) return;
    try {
      await api(what === "fetch" ? "POST" : "DELETE", `/api/copilot/sources/${encodeURIComponent(s.id)}${what === "fetch" ? "/fetch" : ""}`);
      if (what === "fetch") pushToast("Fetching in the background.", "success", 2500);
      props.onChanged();
    } catch (err) {
      pushToast(errorText(err), "error");
    }
  }
  return (
    <section class="panel" aria-labelledby="cp-web">
      <div class="panel-head">
        <IconGlobe size={15} />
        <h2 id="cp-web">Website</h2>
      </div>
      <p class="muted small">Pages of your own website (the origins under Team &amp; website), fetched in the background and again on a schedule. Pages elsewhere and private addresses are refused.</p>
      <form class="kb-form" aria-label="Add a website source" onSubmit={add}>
        <div class="toolbar">
          <select class="input input-sm" aria-label="Source kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as "sitemap" | "urls")}>
            <option value="sitemap">Sitemap</option>
            <option value="urls">List of pages</option>
          </select>
          <label class="muted small">
            every{" "}
            <input class="input input-sm" style="width:56px" inputMode="numeric" aria-label="Refresh every (hours)" value={hours} onInput={(e) => setHours((e.target as HTMLInputElement).value)} /> hours
          </label>
        </div>
        <textarea
          class="input"
          rows={kind === "sitemap" ? 1 : 3}
          aria-label={kind === "sitemap" ? "Sitemap URL" : "Page URLs, one a line"}
          placeholder={kind === "sitemap" ? "https://www.example.com/sitemap.xml" : "https://www.example.com/pricing\nhttps://www.example.com/faq"}
          value={urls}
          onInput={(e) => setUrls((e.target as HTMLTextAreaElement).value)}
          required
        />
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        <div class="kb-actions">
          <button type="submit" class="btn btn-primary btn-sm" disabled={busy || !urls.trim()}>
            <IconPlus size={14} /> Add source
          </button>
        </div>
      </form>
      {props.sources.length === 0 ? (
        <div class="muted small">No website sources yet.</div>
      ) : (
        <table class="table" aria-label="Website sources">
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">Pages</th>
              <th scope="col">Last fetched</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.sources.map((s) => (
              <tr key={s.id}>
                <td>
                  <div class="kb-title">{s.kind === "sitemap" ? s.urls[0] : `${s.urls.length} page${s.urls.length === 1 ? "" : "s"}`}</div>
                  <div class="muted small">every {s.refresh_hours} h</div>
                  {s.last_error && <div class="small error-text">{s.last_error}</div>}
                </td>
                <td>
                  <span class={`src-status-${s.status}`}>{s.status === "ok" ? "OK" : s.status === "error" ? "Error" : "Waiting"}</span>
                </td>
                <td class="num">{s.pages_fetched}</td>
                <td class="muted small">{s.last_fetched_at ? formatDateTime(s.last_fetched_at) : "not yet"}</td>
                <td>
                  <button type="button" class="btn btn-ghost btn-sm" onClick={() => void act(s, "fetch")}>
                    Fetch now
                  </button>
                  <button type="button" class="icon-btn" aria-label="Remove source" onClick={() => void act(s, "delete")}>
                    <IconTrash size={15} />
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
