import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { pushToast, repName, reps } from "../../store";
import type { Account, AccountImport, AccountList, IpRange, IpRangeList, SavedAccount } from "../../types";
import { IconEdit, IconPlus, IconTrash, IconUpload, IconX } from "../../icons";
import { TableStatus } from "../ui";
import { linkClick, paths } from "../../router";

// Accounts: the companies you sell to (CSV import, one by one), and the IP range -> company
// table. Visitors are matched to accounts by email domain, IP range or enrichment.

interface ImportResult {
  created: number;
  updated: number;
  errors: string[];
  file: string;
}

function money(n: number | null | undefined): string {
  if (!n) return "";
  return n.toLocaleString(undefined, { style: "currency", currency: "USD", maximumFractionDigits: 0 });
}

export function AccountsAdmin() {
  const [q, setQ] = useState("");
  const [target, setTarget] = useState<"" | "true" | "false">("");
  const [list, setList] = useState<Account[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Account | "new" | null>(null);
  const [importing, setImporting] = useState(false);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    const t = setTimeout(() => {
      const params = new URLSearchParams();
      if (q.trim()) params.set("q", q.trim());
      if (target) params.set("target", target);
      api<AccountList>("GET", `/api/accounts?${params}`, undefined, { signal: ctl.signal })
        .then((d) => {
          setList(d.accounts ?? []);
          setTotal(d.total ?? 0);
          setError(null);
        })
        .catch((err) => (err as Error).name !== "AbortError" && setError(errorText(err)));
    }, q ? 200 : 0);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [q, target, version]);

  async function remove(a: Account) {
    if (!confirm(`Delete the account ${a.name} (${a.domain})?`)) return;
    try {
      await api("DELETE", `/api/accounts/${encodeURIComponent(a.id)}`);
      pushToast(`${a.name} deleted.`, "success", 2500);
      setVersion((v) => v + 1);
    } catch (err) {
      pushToast(`Couldn't delete ${a.name}: ${errorText(err)}`, "error");
    }
  }

  return (
    <>
      <section class="panel" aria-labelledby="acc-title">
        <div class="panel-head">
          <h2 id="acc-title">Accounts</h2>
          <span class="muted small">
            {list ? `${list.length === total ? total : `${list.length} of ${total}`} ${total === 1 ? "account" : "accounts"}` : ""}
          </span>
          <span class="grow" />
          <button type="button" class="btn btn-secondary btn-sm" onClick={() => setImporting(!importing)} aria-expanded={importing}>
            <IconUpload size={14} /> Import CSV
          </button>
          <button type="button" class="btn btn-primary btn-sm" onClick={() => setEditing("new")}>
            <IconPlus size={14} /> Add account
          </button>
        </div>
        {importing && (
          <CsvImport
            onDone={(r) => {
              setResult(r);
              setVersion((v) => v + 1);
            }}
            onClose={() => setImporting(false)}
          />
        )}
        {result && <ImportResultCard result={result} onClose={() => setResult(null)} />}
        {editing && (
          <AccountForm
            key={editing === "new" ? "new" : editing.id}
            account={editing === "new" ? null : editing}
            onDone={(saved) => {
              setEditing(null);
              if (saved) setVersion((v) => v + 1);
            }}
          />
        )}
        <div class="toolbar">
          <input type="search" class="input input-sm grow" placeholder="Search by name or domain" aria-label="Search accounts" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
          <select class="input input-sm" aria-label="Target accounts filter" value={target} onChange={(e) => setTarget((e.target as HTMLSelectElement).value as "" | "true" | "false")}>
            <option value="">All accounts</option>
            <option value="true">Target accounts</option>
            <option value="false">Not target accounts</option>
          </select>
        </div>
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        <div class="table-wrap">
          <table class="table" aria-label="Accounts">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Domain</th>
                <th scope="col">Target</th>
                <th scope="col" class="num">Open pipeline</th>
                <th scope="col">Owner</th>
                <th scope="col" class="num">Employees</th>
                <th scope="col">Industry</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <TableStatus
                cols={8}
                list={list}
                empty={q || target ? "No accounts match." : "No accounts yet. Import a CSV of your target accounts to get started."}
              />
              {list?.map((a) => (
                <tr key={a.id} data-domain={a.domain}>
                  <td class="strong">
                    <a href={paths.account(a.id)} onClick={linkClick} aria-label={`Account 360: ${a.name}`}>
                      {a.name}
                    </a>
                  </td>
                  <td class="mono">{a.domain}</td>
                  <td>{a.target_account ? <span class="tag tag-target">Target</span> : <span class="muted">–</span>}</td>
                  <td class="num">{money(a.open_pipeline) || <span class="muted">–</span>}</td>
                  <td>{a.owner_rep_id ? (repName(a.owner_rep_id) ?? "A rep") : <span class="muted">–</span>}</td>
                  <td class="num">{a.employees != null ? a.employees.toLocaleString() : <span class="muted">–</span>}</td>
                  <td>{a.industry ?? <span class="muted">–</span>}</td>
                  <td class="actions">
                    <button type="button" class="icon-btn sm" aria-label={`Edit ${a.name}`} onClick={() => setEditing(a)}>
                      <IconEdit size={14} />
                    </button>
                    <button type="button" class="icon-btn sm" aria-label={`Delete ${a.name}`} onClick={() => void remove(a)}>
                      <IconTrash size={14} />
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <IpRangesSection />
    </>
  );
}

function CsvImport(props: { onDone: (r: ImportResult) => void; onClose: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function upload(file: File) {
    setBusy(true);
    setError(null);
    try {
      const text = await file.text();
      const res = await api<AccountImport>("POST", "/api/accounts/import", text, { contentType: "text/csv" });
      props.onDone({ ...res, file: file.name });
      if (input.current) input.current.value = "";
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div
      class={`dropzone ${over ? "over" : ""}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const f = e.dataTransfer?.files?.[0];
        if (f) void upload(f);
      }}
    >
      <button type="button" class="icon-btn dz-close" aria-label="Close import" onClick={props.onClose}>
        <IconX size={14} />
      </button>
      <IconUpload size={22} />
      <div>
        <strong>Drop a CSV here</strong> or{" "}
        <label class="link-btn file-label">
          choose a file
          <input
            ref={input}
            type="file"
            accept=".csv,text/csv"
            class="sr-only"
            aria-label="CSV file"
            onChange={(e) => {
              const f = (e.target as HTMLInputElement).files?.[0];
              if (f) void upload(f);
            }}
          />
        </label>
        {busy && <span class="muted"> · Importing…</span>}
      </div>
      <div class="muted small">
        Columns: <code>name</code>, <code>domain</code> (required), <code>target_account</code> (yes/no), <code>open_pipeline</code>, <code>owner_email</code>, <code>employees</code>, <code>industry</code>; any other
        column is kept as a custom field. The same domain again updates the account.
      </div>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

function ImportResultCard(props: { result: ImportResult; onClose: () => void }) {
  const r = props.result;
  return (
    <div class={`import-result ${r.errors.length ? "has-errors" : ""}`} role="status" aria-label="Import result">
      <div class="import-head">
        <strong>Imported {r.file}</strong>
        <span class="import-stat ok">
          <b>{r.created}</b> created
        </span>
        <span class="import-stat">
          <b>{r.updated}</b> updated
        </span>
        <span class={`import-stat ${r.errors.length ? "bad" : ""}`}>
          <b>{r.errors.length}</b> {r.errors.length === 1 ? "row" : "rows"} with errors
        </span>
        <span class="grow" />
        <button type="button" class="icon-btn sm" aria-label="Dismiss import result" onClick={props.onClose}>
          <IconX size={14} />
        </button>
      </div>
      {r.errors.length > 0 && (
        <>
          <div class="muted small">These rows were skipped; the others were saved. Fix them and import the file again.</div>
          <ul class="import-errors">
            {r.errors.map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function AccountForm(props: { account: Account | null; onDone: (saved: boolean) => void }) {
  const a = props.account;
  const [name, setName] = useState(a?.name ?? "");
  const [domain, setDomain] = useState(a?.domain ?? "");
  const [targetAccount, setTargetAccount] = useState(a?.target_account ?? false);
  const [pipeline, setPipeline] = useState(a?.open_pipeline ? String(a.open_pipeline) : "");
  const [owner, setOwner] = useState(a?.owner_rep_id ?? "");
  const [employees, setEmployees] = useState(a?.employees != null ? String(a.employees) : "");
  const [industry, setIndustry] = useState(a?.industry ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const repList = [...reps.value.values()].filter((r) => r.active !== false && r.name).sort((x, y) => x.name.localeCompare(y.name));

  async function save(e: Event) {
    e.preventDefault();
    const pipe = pipeline.trim() ? Number(pipeline.replace(/[$,\s]/g, "")) : 0;
    const emp = employees.trim() ? Number(employees.replace(/[,\s]/g, "")) : null;
    if (!Number.isFinite(pipe) || pipe < 0) return setError("Open pipeline must be a positive number.");
    if (emp !== null && (!Number.isInteger(emp) || emp < 0)) return setError("Employees must be a whole number.");
    setBusy(true);
    setError(null);
    try {
      const res = await api<SavedAccount>("POST", "/api/accounts", {
        name: name.trim(),
        domain: domain.trim(),
        target_account: targetAccount,
        open_pipeline: pipe,
        owner_rep_id: owner || null,
        employees: emp,
        industry: industry.trim() || null,
        custom: a?.custom ?? {},
      });
      pushToast(`${name.trim()} ${res.created ? "added" : "saved"}.`, "success", 2500);
      props.onDone(true);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="inline-form account-form" aria-label={a ? `Edit ${a.name}` : "Add an account"} onSubmit={save}>
      <label class="field">
        <span>Name</span>
        <input value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} required maxLength={200} autoFocus />
      </label>
      <label class="field">
        <span>Domain</span>
        <input value={domain} onInput={(e) => setDomain((e.target as HTMLInputElement).value)} required placeholder="initech.com" readOnly={!!a} title={a ? "Accounts are keyed by domain: add a new account for another domain" : undefined} />
      </label>
      <label class="field">
        <span>Open pipeline ($)</span>
        <input value={pipeline} inputMode="decimal" onInput={(e) => setPipeline((e.target as HTMLInputElement).value)} placeholder="0" />
      </label>
      <label class="field">
        <span>Owner</span>
        <select value={owner} onChange={(e) => setOwner((e.target as HTMLSelectElement).value)}>
          <option value="">No owner</option>
          {repList.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>Employees</span>
        <input value={employees} inputMode="numeric" onInput={(e) => setEmployees((e.target as HTMLInputElement).value)} />
      </label>
      <label class="field">
        <span>Industry</span>
        <input value={industry} onInput={(e) => setIndustry((e.target as HTMLInputElement).value)} maxLength={200} />
      </label>
      <label class="check field-check">
        <input type="checkbox" checked={targetAccount} onChange={(e) => setTargetAccount((e.target as HTMLInputElement).checked)} />
        Target account
      </label>
      <div class="inline-form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Saving…" : a ? "Save account" : "Add account"}
        </button>
        <button type="button" class="btn btn-ghost" onClick={() => props.onDone(false)}>
          Cancel
        </button>
      </div>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
    </form>
  );
}

function IpRangesSection() {
  const [list, setList] = useState<IpRange[] | null>(null);
  const [cidr, setCidr] = useState("");
  const [company, setCompany] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = () =>
    api<IpRangeList>("GET", "/api/ip-ranges")
      .then((d) => setList(d.ip_ranges ?? []))
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void refresh();
  }, []);
  async function add(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api("POST", "/api/ip-ranges", { cidr: cidr.trim(), company: company.trim() });
      setCidr("");
      setCompany("");
      await refresh();
      pushToast("IP range added: live visitors were re-matched.", "success", 2500);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  async function remove(r: IpRange) {
    try {
      await api("DELETE", `/api/ip-ranges/${encodeURIComponent(r.id)}`);
      await refresh();
    } catch (err) {
      pushToast(`Couldn't remove ${r.cidr}: ${errorText(err)}`, "error");
    }
  }
  return (
    <section class="panel" aria-labelledby="ipr-title">
      <div class="panel-head">
        <h2 id="ipr-title">IP ranges → company</h2>
      </div>
      <p class="muted small">Visitors from these addresses are shown as this company with high confidence: your customers' office ranges, for example.</p>
      <form class="row-form" onSubmit={add} aria-label="Add an IP range">
        <input class="input" aria-label="IP or CIDR" placeholder="203.0.113.0/24" value={cidr} onInput={(e) => setCidr((e.target as HTMLInputElement).value)} />
        <input class="input" aria-label="Company" placeholder="Initech" value={company} onInput={(e) => setCompany((e.target as HTMLInputElement).value)} />
        <button type="submit" class="btn btn-secondary" disabled={busy || !cidr.trim() || !company.trim()}>
          Add range
        </button>
      </form>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <table class="table" aria-label="IP ranges">
        <thead>
          <tr>
            <th scope="col">Range</th>
            <th scope="col">Company</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          <TableStatus cols={3} list={list} empty="No IP ranges yet." />
          {list?.map((r) => (
            <tr key={r.id}>
              <td class="mono">{r.cidr}</td>
              <td>{r.company}</td>
              <td class="actions">
                <button type="button" class="icon-btn sm" aria-label={`Remove ${r.cidr}`} onClick={() => void remove(r)}>
                  <IconTrash size={14} />
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
