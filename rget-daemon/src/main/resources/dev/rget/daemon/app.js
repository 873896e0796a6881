// rget daemon page: talks aria2 JSON-RPC over one WebSocket to /jsonrpc, the same interface as any
// aria2 front-end. Everything from the daemon is shown through textContent (names and URLs come
// from the network and are hostile); nothing is ever parsed as HTML.
"use strict";

(function () {
  const POLL_MS = 1000;
  const KEYS = ["gid", "status", "totalLength", "completedLength", "downloadSpeed", "connections",
    "errorMessage", "files", "bitfield", "numPieces", "rgetInFlight"];
  const SECRET_KEY = "rget-daemon-secret";

  const $ = (id) => document.getElementById(id);
  let ws = null;
  let nextId = 1;
  const pending = new Map();
  let pollTimer = null;
  let polling = false;
  let secret = sessionStorage.getItem(SECRET_KEY);

  // --- JSON-RPC over the WebSocket -------------------------------------------------------------
  function connect() {
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/jsonrpc";
    ws = new WebSocket(url);
    ws.onopen = () => { setLink(true); poll(); };
    ws.onmessage = (ev) => onMessage(ev.data);
    ws.onclose = () => {
      setLink(false);
      for (const p of pending.values()) p.reject(new Error("connection closed"));
      pending.clear();
      setTimeout(connect, 2000);
    };
  }

  function onMessage(text) {
    let msg;
    try { msg = JSON.parse(text); } catch (e) { return; }
    if (msg && typeof msg.method === "string" && msg.id === undefined) {
      poll(); // a notification (onDownloadStart, ...): refresh now rather than at the next tick
      return;
    }
    const p = msg && pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(rpcError(msg.error)); else p.resolve(msg.result);
  }

  function rpcError(e) {
    const err = new Error(String(e && e.message));
    err.unauthorized = err.message === "Unauthorized";
    return err;
  }

  function withToken(params) {
    return secret ? ["token:" + secret].concat(params) : params;
  }

  function call(method, params) {
    return new Promise((resolve, reject) => {
      if (!ws || ws.readyState !== WebSocket.OPEN) { reject(new Error("not connected")); return; }
      const id = "p" + nextId++;
      pending.set(id, { resolve, reject });
      // system.* methods take no token (aria2 refuses one); a multicall's calls carry their own.
      const p = method.startsWith("system.") ? params : withToken(params);
      ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params: p }));
    });
  }

  // --- polling -----------------------------------------------------------------------------------
  async function poll() {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, POLL_MS);
    if (polling) return;
    polling = true;
    try {
      const calls = [
        ["aria2.tellActive", [KEYS]],
        ["aria2.tellWaiting", [0, 1000, KEYS]],
        ["aria2.tellStopped", [0, 1000, KEYS]],
        ["aria2.getGlobalStat", []],
      ].map(([m, p]) => ({ methodName: m, params: withToken(p) }));
      const results = await call("system.multicall", [calls]);
      for (const r of results) {
        if (!Array.isArray(r)) throw rpcError(r);
      }
      hideSecretForm();
      render(results[0][0].concat(results[1][0], results[2][0]), results[3][0]);
    } catch (e) {
      if (e.unauthorized) showSecretForm(); else if (e.message !== "not connected") say(e.message);
    } finally {
      polling = false;
    }
  }

  // --- rendering ---------------------------------------------------------------------------------
  const rows = new Map(); // gid -> row elements

  function render(list, stat) {
    const seen = new Set();
    const tbody = $("rows");
    list.forEach((d, i) => {
      if (typeof d.gid !== "string") return;
      seen.add(d.gid);
      let r = rows.get(d.gid);
      if (!r) { r = makeRow(d.gid); rows.set(d.gid, r); }
      if (tbody.children[i] !== r.tr) tbody.insertBefore(r.tr, tbody.children[i] || null);
      fillRow(r, d);
    });
    for (const [gid, r] of rows) {
      if (!seen.has(gid)) { r.tr.remove(); rows.delete(gid); }
    }
    $("empty").hidden = list.length > 0;
    $("stat").textContent = "↓ " + speed(num(stat.downloadSpeed)) + " · " + num(stat.numActive) + " active, "
      + num(stat.numWaiting) + " waiting, " + num(stat.numStopped) + " stopped";
  }

  function el(tag, cls, parent) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (parent) parent.appendChild(e);
    return e;
  }

  function makeRow(gid) {
    const tr = el("tr");
    tr.dataset.gid = gid;
    const r = { tr };
    const nameTd = el("td", "name", tr);
    r.name = el("span", "file", nameTd);
    r.uri = el("span", "uri", nameTd);
    r.size = el("td", "num size", tr);
    const progTd = el("td", "prog", tr);
    const bar = el("div", "progress", progTd);
    r.fill = el("div", "fill", bar);
    r.pct = el("span", "pct", bar);
    r.canvas = el("canvas", "ranges", progTd);
    r.canvas.width = 600;
    r.canvas.height = 8;
    r.speed = el("td", "num speed", tr);
    r.eta = el("td", "num eta", tr);
    r.conns = el("td", "num conns", tr);
    r.status = el("td", "status", tr);
    const act = el("td", "actions", tr);
    r.pause = button(act, "Pause", "pause", () => act1("aria2.pause", gid));
    r.resume = button(act, "Resume", "resume", () => act1("aria2.unpause", gid));
    r.remove = button(act, "Remove", "remove", () => act1(r.stopped ? "aria2.removeDownloadResult" : "aria2.remove", gid));
    return r;
  }

  function button(parent, label, cls, onClick) {
    const b = el("button", cls, parent);
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  async function act1(method, gid) {
    try { await call(method, [gid]); say(""); } catch (e) { say(e.message); }
    poll();
  }

  function fillRow(r, d) {
    const file = Array.isArray(d.files) && d.files[0] ? d.files[0] : {};
    const uri = Array.isArray(file.uris) && file.uris[0] ? String(file.uris[0].uri) : "";
    const path = typeof file.path === "string" ? file.path : "";
    const name = path ? path.slice(path.lastIndexOf("/") + 1) : (uri ? uri.slice(uri.lastIndexOf("/") + 1) || uri : d.gid);
    r.name.textContent = name;
    r.uri.textContent = uri;
    r.uri.title = uri;
    const total = num(d.totalLength), done = num(d.completedLength), rate = num(d.downloadSpeed);
    const status = String(d.status);
    r.stopped = status === "complete" || status === "error" || status === "removed";
    r.size.textContent = total > 0 ? bytes(total) : "?";
    const frac = total > 0 ? Math.min(1, done / total) : (status === "complete" ? 1 : 0);
    r.fill.style.width = (frac * 100).toFixed(1) + "%";
    r.pct.textContent = (frac * 100).toFixed(1) + "% · " + bytes(done);
    r.speed.textContent = status === "active" ? speed(rate) : "";
    r.eta.textContent = status === "active" && rate > 0 && total > 0 ? duration((total - done) / rate) : "";
    r.conns.textContent = status === "active" ? String(num(d.connections)) : "";
    r.status.textContent = status + (status === "error" && d.errorMessage ? ": " + String(d.errorMessage) : "");
    r.status.className = "status status-" + status.replace(/[^a-z]/g, "");
    r.tr.dataset.status = status;
    r.tr.dataset.completed = String(done);
    r.pause.hidden = !(status === "active" || status === "waiting");
    r.resume.hidden = status !== "paused";
    r.remove.textContent = r.stopped ? "Clear" : "Remove";
    drawRanges(r.canvas, d, status);
  }

  // One column per piece: written (bitfield), being fetched (rgetInFlight), missing.
  function drawRanges(canvas, d, status) {
    const ctx = canvas.getContext("2d");
    const css = getComputedStyle(document.documentElement);
    const w = canvas.width, h = canvas.height;
    ctx.fillStyle = css.getPropertyValue("--missing");
    ctx.fillRect(0, 0, w, h);
    const n = num(d.numPieces);
    if (!(n > 0)) {
      if (status === "complete") { ctx.fillStyle = css.getPropertyValue("--done"); ctx.fillRect(0, 0, w, h); }
      return;
    }
    const paint = (hex, color) => {
      if (typeof hex !== "string") return;
      ctx.fillStyle = color;
      for (let i = 0; i < n; i++) {
        const digit = parseInt(hex.charAt(i >> 2), 16);
        if (digit & (8 >> (i & 3))) {
          const x0 = Math.floor(i * w / n), x1 = Math.ceil((i + 1) * w / n);
          ctx.fillRect(x0, 0, Math.max(1, x1 - x0), h);
        }
      }
    };
    paint(d.rgetInFlight, css.getPropertyValue("--flight"));
    paint(d.bitfield, css.getPropertyValue("--done"));
  }

  // --- formatting -------------------------------------------------------------------------------
  function num(s) { const n = Number(s); return Number.isFinite(n) ? n : 0; }
  function bytes(n) {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }
  function speed(n) { return bytes(n) + "/s"; }
  function duration(s) {
    s = Math.round(s);
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
    return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
  }

  // --- controls ---------------------------------------------------------------------------------
  function say(text) { $("message").textContent = text; }
  function setLink(on) {
    const l = $("link");
    l.textContent = on ? "live" : "offline";
    l.className = "link " + (on ? "on" : "off");
  }
  function showSecretForm() { $("secret-form").hidden = false; say("This daemon needs its RPC secret."); }
  function hideSecretForm() {
    if (!$("secret-form").hidden) { $("secret-form").hidden = true; say(""); }
  }

  $("secret-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    secret = $("secret").value;
    $("secret").value = "";
    sessionStorage.setItem(SECRET_KEY, secret);
    poll();
  });

  $("add-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const url = $("add-url").value.trim();
    if (!url) return;
    try {
      await call("aria2.addUri", [[url], {}]);
      $("add-url").value = "";
      say("");
    } catch (e) {
      if (e.unauthorized) showSecretForm(); else say(e.message);
    }
    poll();
  });

  connect();
})();
