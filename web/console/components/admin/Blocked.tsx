import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { linkClick, paths } from "../../router";
import { pushToast, repName } from "../../store";
import { formatDateTime } from "../../time";
import { IconBan, IconFlag } from "../../icons";
import { TableStatus } from "../ui";
import type { BlocksOverview } from "../../types";

// Blocked & Reported: visitors reps blocked, IP blocks (with optional expiry), and reports to
// review.

type Overview = BlocksOverview;

export function BlockedAdmin() {
  const [data, setData] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () =>
    api<Overview>("GET", "/api/blocks")
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void refresh();
  }, []);

  async function act(method: "POST" | "DELETE", path: string, done: string) {
    try {
      await api(method, path);
      pushToast(done, "success", 2500);
      await refresh();
    } catch (err) {
      pushToast(errorText(err), "error");
    }
  }

  const names = new Map((data?.blocked_visitors ?? []).map((v) => [v.id, v.name || v.email]));
  const open = (data?.reports ?? []).filter((r) => r.status !== "reviewed");
  return (
    <>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <section class="panel" aria-labelledby="reports-title">
        <div class="panel-head">
          <IconFlag size={15} />
          <h2 id="reports-title">Reports</h2>
          <span class={`count ${open.length ? "hot" : ""}`}>{open.length}</span>
          <span class="muted small">Visitors reps blocked and reported. Block their IP below if they keep coming back.</span>
        </div>
        <table class="table" aria-label="Reports">
          <thead>
            <tr>
              <th scope="col">Reported</th>
              <th scope="col">Visitor</th>
              <th scope="col">By</th>
              <th scope="col">Reason</th>
              <th scope="col">IP</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            <TableStatus
              cols={7}
              list={data ? data.reports : undefined}
              empty="No reports. Reps file one with “Block and report visitor” in a conversation's menu."
            />
            {data?.reports.map((r) => (
              <tr key={r.id} class={r.status === "reviewed" ? "inactive" : ""}>
                <td>{formatDateTime(r.created_at)}</td>
                <td>
                  <a href={r.conversation_id ? paths.conversation(r.conversation_id) : paths.visitor(r.visitor_id)} onClick={linkClick}>
                    {names.get(r.visitor_id) || "Anonymous visitor"}
                  </a>
                </td>
                <td>{repName(r.rep_id) ?? "–"}</td>
                <td class="wrap">{r.reason ?? <span class="muted">No reason given</span>}</td>
                <td class="mono">{r.ip ?? "–"}</td>
                <td>
                  <span class={`status-chip ${r.status === "reviewed" ? "chip-ended" : "chip-incoming"}`}>{r.status === "reviewed" ? "Reviewed" : "Open"}</span>
                </td>
                <td class="actions">
                  {r.ip && r.status !== "reviewed" && <IpBlockQuick ip={r.ip} onDone={refresh} />}
                  {r.status !== "reviewed" && (
                    <button type="button" class="btn btn-secondary btn-sm" onClick={() => void act("POST", `/api/reports/${encodeURIComponent(r.id)}/reviewed`, "Marked reviewed.")}>
                      Mark reviewed
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <div class="admin-grid">
        <section class="panel" aria-labelledby="bv-title">
          <div class="panel-head">
            <IconBan size={15} />
            <h2 id="bv-title">Blocked visitors</h2>
            <span class="count">{data?.blocked_visitors.length ?? 0}</span>
          </div>
          <p class="muted small">Blocked by cookie on the device they used: they don't see the messenger.</p>
          <ul class="plain-list" aria-label="Blocked visitors">
            {data?.blocked_visitors.length === 0 && <li class="muted">Nobody is blocked.</li>}
            {data?.blocked_visitors.map((v) => (
              <li key={v.id}>
                <div class="grow">
                  <a href={paths.visitor(v.id)} onClick={linkClick} class="strong">
                    {v.name || v.email || "Anonymous visitor"}
                  </a>
                  {v.name && v.email && <span class="muted small"> · {v.email}</span>}
                  <div class="muted small">Blocked {formatDateTime(v.blocked_at)}</div>
                </div>
                <button type="button" class="btn btn-secondary btn-sm" aria-label={`Unblock ${v.name || v.email || "visitor"}`} onClick={() => void act("POST", `/api/visitors/${encodeURIComponent(v.id)}/unblock`, "Visitor unblocked.")}>
                  Unblock
                </button>
              </li>
            ))}
          </ul>
        </section>
        <IpBlocks blocks={data?.ip_blocks ?? null} onChange={refresh} onLift={(id) => void act("DELETE", `/api/ip-blocks/${encodeURIComponent(id)}`, "IP block lifted.")} />
      </div>
    </>
  );
}

function IpBlockQuick(props: { ip: string; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      class="btn btn-danger-ghost btn-sm"
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        try {
          await api("POST", "/api/ip-blocks", { cidr: props.ip, reason: "From a visitor report" });
          pushToast(`${props.ip} blocked.`, "success", 2500);
          props.onDone();
        } catch (err) {
          pushToast(errorText(err), "error");
        } finally {
          setBusy(false);
        }
      }}
    >
      Block IP
    </button>
  );
}

function IpBlocks(props: { blocks: Overview["ip_blocks"] | null; onChange: () => void; onLift: (id: string) => void }) {
  const [cidr, setCidr] = useState("");
  const [expires, setExpires] = useState("");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function add(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api("POST", "/api/ip-blocks", {
        cidr: cidr.trim(),
        expires_at: expires ? new Date(expires).toISOString() : null,
        reason: reason.trim() || null,
      });
      setCidr("");
      setExpires("");
      setReason("");
      pushToast("IP block added.", "success", 2500);
      props.onChange();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="panel" aria-labelledby="ipb-title">
      <div class="panel-head">
        <IconBan size={15} />
        <h2 id="ipb-title">IP blocks</h2>
      </div>
      <form class="ipb-form" onSubmit={add} aria-label="Block an IP address or range">
        <input class="input" aria-label="IP address or CIDR" placeholder="198.51.100.7 or 198.51.100.0/24" value={cidr} onInput={(e) => setCidr((e.target as HTMLInputElement).value)} />
        <label class="field-inline">
          <span class="muted small">Until</span>
          <input class="input" type="datetime-local" aria-label="Expires at (optional)" value={expires} onInput={(e) => setExpires((e.target as HTMLInputElement).value)} />
        </label>
        <input class="input" aria-label="Reason (optional)" placeholder="Reason (optional)" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        <button type="submit" class="btn btn-danger" disabled={busy || !cidr.trim()}>
          Block
        </button>
      </form>
      <div class="muted small">Leave “Until” empty to block until you lift it.</div>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <ul class="plain-list" aria-label="IP blocks">
        {props.blocks?.length === 0 && <li class="muted">No IP blocks.</li>}
        {props.blocks?.map((b) => (
          <li key={b.id} class={b.active ? "" : "inactive"}>
            <div class="grow">
              <code class="strong">{b.cidr}</code> {b.active ? <span class="status-chip chip-missed">Blocked</span> : <span class="status-chip chip-ended">Expired</span>}
              <div class="muted small">
                {b.expires_at ? `${b.active ? "Until" : "Ended"} ${formatDateTime(b.expires_at)}` : "No expiry"}
                {b.reason ? ` · ${b.reason}` : ""}
              </div>
            </div>
            <button type="button" class="btn btn-secondary btn-sm" aria-label={`Lift block on ${b.cidr}`} onClick={() => props.onLift(b.id)}>
              Lift
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
