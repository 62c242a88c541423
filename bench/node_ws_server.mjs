// Baseline for bench/idle_connections.py: a bare `ws` echo server, nothing else.
// Usage: node bench/node_ws_server.mjs PORT   (listens on 127.0.0.1 only)
import { WebSocketServer } from "ws";

const port = Number(process.argv[2] || 8090);
// perMessageDeflate is false by default in ws 8; spelled out so the comparison is explicit.
const wss = new WebSocketServer({ host: "127.0.0.1", port, backlog: 4096, perMessageDeflate: false });
wss.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on("error", () => {});
});
wss.on("listening", () => console.log(`ws echo server listening on 127.0.0.1:${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const client of wss.clients) client.terminate();
    wss.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
