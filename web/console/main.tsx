import { render } from "preact";
import { useEffect } from "preact/hooks";
import { boot, booting } from "./actions";
import { navigate, paths, route } from "./router";
import { me } from "./store";
import "./notify";
import { Admin } from "./components/Admin";
import { ConversationsPage } from "./components/Conversation";
import { Inbox } from "./components/Inbox";
import { LiveStream } from "./components/LiveStream";
import { Login } from "./components/Login";
import { Shell } from "./components/Shell";
import { ShortcutsPage } from "./components/Shortcuts";
import { ReportsPage } from "./components/Reports";
import { Account360Page } from "./components/Account360";

// The rep console: sign-in, live stream, inbox, conversation console, admin basics.

function App() {
  const r = route.value;
  const rep = me.value;

  useEffect(() => {
    // Read everything now, not from this render: an effect runs after paint, and by then boot()
    // may have signed the rep in. With `rep` from the first render (null) and `booting` read
    // now (false), a page load of /app/... went to /login and from there to the live stream.
    const now = { rep: me.value, route: route.value.name };
    if (booting.value) return;
    if (!now.rep && now.route !== "login") navigate(paths.login, { replace: true });
    else if (now.rep && (now.route === "login" || now.route === "root")) navigate(paths.live, { replace: true });
  }, [rep, r.name, booting.value]);

  if (booting.value) {
    return (
      <div class="boot" role="status" aria-label="Loading Frontdesk">
        <span class="brand-mark" aria-hidden="true">F</span>
      </div>
    );
  }
  if (!rep || r.name === "login") return <Login />;
  let page;
  switch (r.name) {
    case "inbox":
      page = <Inbox box={r.box} />;
      break;
    case "conversations":
      page = <ConversationsPage conversationId={r.conversationId} visitorId={null} />;
      break;
    case "visitor":
      page = <ConversationsPage conversationId={null} visitorId={r.visitorId} />;
      break;
    case "admin":
      page = <Admin section={r.section} />;
      break;
    case "shortcuts":
      page = <ShortcutsPage />;
      break;
    case "reports":
      page = <ReportsPage />;
      break;
    case "account":
      page = <Account360Page accountId={r.accountId} />;
      break;
    default:
      page = <LiveStream />;
  }
  return <Shell>{page}</Shell>;
}

render(<App />, document.getElementById("app")!);
void boot();
