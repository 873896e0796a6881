// Drives an aria2 JSON-RPC server (rget daemon, or aria2c --enable-rpc for calibration) with the
// npm library aria2 (aria2.js), over HTTP or over WebSocket. One scenario:
//   fast file: addUri, complete, byte-exact, onDownloadStart + onDownloadComplete
//   slow file: pause while active (onDownloadPause, status paused), unpause, complete, byte-exact
//   slow file: remove while active (onDownloadStop, status removed)
//   missing file (404): status error, errorCode 3, onDownloadError
// Usage: node aria2-client.js PORT SECRET http|ws DIR FAST_URL FAST_SHA256 SLOW_URL SLOW_SHA256 MISSING_URL
// Prints one line per step; exits 0 only if every check passed.
"use strict";
const Aria2 = require("aria2");
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const [port, secret, transport, dir, fastUrl, fastSha, slowUrl, slowSha, missingUrl] = process.argv.slice(2);
const aria2 = new Aria2({ host: "127.0.0.1", port: Number(port), secure: false, secret, path: "/jsonrpc" });
const events = []; // [name, gid]
const ws = transport === "ws";

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}
function step(s) {
  console.log("step " + s);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, timeoutMs = 60000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await sleep(50); // polling an RPC: there is nothing to await but the next answer
  }
  throw new Error("timed out waiting for " + what);
}

async function status(gid) {
  return aria2.call("tellStatus", gid, ["gid", "status", "totalLength", "completedLength", "errorCode", "files"]);
}

async function awaitStatus(gid, want) {
  return until(gid + " " + want, async () => {
    const s = await status(gid);
    check(s.gid === gid, "tellStatus answers for its gid");
    if (want !== "error" && s.status === "error") throw new Error(gid + " failed: " + JSON.stringify(s));
    return s.status === want ? s : null;
  });
}

async function awaitEvent(name, gid) {
  if (!ws) return; // notifications exist on the WebSocket only
  await until(name + " for " + gid, async () => events.some(([n, g]) => n === name && g === gid));
}

function sha256(file) {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

async function main() {
  if (ws) {
    await aria2.open();
    for (const n of ["onDownloadStart", "onDownloadPause", "onDownloadStop", "onDownloadComplete", "onDownloadError"]) {
      aria2.on(n, ([e]) => events.push([n, e.gid]));
    }
  }
  const version = await aria2.call("getVersion");
  check(typeof version.version === "string", "getVersion has a version");
  const methods = await aria2.listMethods();
  for (const m of ["addUri", "tellStatus", "pause", "unpause", "remove", "tellStopped"]) {
    check(methods.includes(m), "listMethods has " + m);
  }
  step("version " + transport);

  // A completed download, byte-exact.
  const fastOut = "fast-" + transport + ".bin";
  const fast = await aria2.call("addUri", [fastUrl], { dir, out: fastOut });
  check(/^[0-9a-f]{16}$/.test(fast), "a GID is 16 hex digits: " + fast);
  const done = await awaitStatus(fast, "complete");
  check(done.completedLength === done.totalLength, "complete means every byte");
  check(sha256(path.join(dir, fastOut)) === fastSha, "fast file byte-exact");
  await awaitEvent("onDownloadStart", fast);
  await awaitEvent("onDownloadComplete", fast);
  step("complete " + fast);

  // Pause while active, unpause, finish byte-exact.
  const slowOut = "slow-" + transport + ".bin";
  const slow = await aria2.call("addUri", [slowUrl], { dir, out: slowOut, split: "2" });
  await until("bytes of " + slow, async () => {
    const s = await status(slow);
    return s.status === "active" && Number(s.completedLength) > 0;
  });
  check((await aria2.call("pause", slow)) === slow, "pause answers the GID");
  const paused = await awaitStatus(slow, "paused");
  await awaitEvent("onDownloadPause", slow);
  step("paused " + slow + " at " + paused.completedLength);
  check((await aria2.call("unpause", slow)) === slow, "unpause answers the GID");
  await awaitStatus(slow, "complete");
  check(sha256(path.join(dir, slowOut)) === slowSha, "paused-and-resumed file byte-exact");
  await awaitEvent("onDownloadComplete", slow);
  step("resumed " + slow);

  // Remove while active.
  const gone = await aria2.call("addUri", [slowUrl], { dir, out: "removed-" + transport + ".bin" });
  await until("start of " + gone, async () => (await status(gone)).status === "active");
  check((await aria2.call("remove", gone)) === gone, "remove answers the GID");
  await awaitStatus(gone, "removed");
  await awaitEvent("onDownloadStop", gone);
  step("removed " + gone);

  // An origin answering 404.
  const bad = await aria2.call("addUri", [missingUrl], { dir, out: "missing-" + transport + ".bin" });
  const failed = await awaitStatus(bad, "error");
  check(failed.errorCode === "3", "404 is aria2's error code 3, got " + failed.errorCode);
  await awaitEvent("onDownloadError", bad);
  step("error " + bad);

  const stopped = await aria2.call("tellStopped", 0, 100, ["gid", "status"]);
  for (const g of [fast, slow, gone, bad]) {
    check(stopped.some((s) => s.gid === g), "tellStopped lists " + g);
  }
  check((await aria2.call("purgeDownloadResult")) === "OK", "purgeDownloadResult");
  check((await aria2.call("tellStopped", 0, 100)).length === 0, "purged");
  let unauthorized = null;
  const wrong = new Aria2({ host: "127.0.0.1", port: Number(port), secret: secret + "x", path: "/jsonrpc" });
  try {
    await wrong.call("getVersion");
  } catch (e) {
    unauthorized = e.message;
  }
  check(unauthorized === "Unauthorized", "a wrong secret is refused with Unauthorized, got " + unauthorized);
  if (ws) await aria2.close();
  step("done " + transport);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.log("FAILED " + (e && e.stack ? e.stack : e));
    process.exit(1);
  }
);
