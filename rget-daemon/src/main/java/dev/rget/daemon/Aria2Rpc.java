package dev.rget.daemon;

import dev.rget.core.DownloadException;
import dev.rget.core.Rget;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * aria2's JSON-RPC methods over the {@link DownloadQueue}: takes a parsed request (one object, or
 * an array for a batch), returns the response to send. Method names, parameters, result shapes
 * and error objects follow aria2's manual. Transport-neutral: HTTP and WebSocket share it.
 */
final class Aria2Rpc {
  /** Requests in a batch, and calls in a system.multicall, accepted at most. */
  static final int MAX_CALLS = 1000;
  static final String VERSION = "1.37.0";

  static final List<String> METHODS = List.of("aria2.addUri", "aria2.remove", "aria2.forceRemove",
      "aria2.pause", "aria2.pauseAll", "aria2.forcePause", "aria2.forcePauseAll", "aria2.unpause",
      "aria2.unpauseAll", "aria2.tellStatus", "aria2.getUris", "aria2.getFiles", "aria2.getServers",
      "aria2.tellActive", "aria2.tellWaiting", "aria2.tellStopped", "aria2.changePosition",
      "aria2.getOption", "aria2.changeOption", "aria2.getGlobalOption", "aria2.changeGlobalOption", "aria2.getGlobalStat", "aria2.purgeDownloadResult",
      "aria2.removeDownloadResult", "aria2.getVersion", "aria2.getSessionInfo", "aria2.shutdown",
      "aria2.forceShutdown", "aria2.saveSession", "system.multicall", "system.listMethods",
      "system.listNotifications");
  static final List<String> NOTIFICATIONS = List.of("aria2.onDownloadStart", "aria2.onDownloadPause",
      "aria2.onDownloadStop", "aria2.onDownloadComplete", "aria2.onDownloadError",
      "aria2.onBtDownloadComplete");

  /** What the RPC needs from the daemon besides the queue. */
  interface Host {
    /** Saves the session file now; an error message, or null. */
    String saveSession();

    /** Stops the daemon soon, after the answer was sent. */
    void shutdown();

    /** The global options to show (never the secret). */
    Map<String, Object> globalOptions();
  }

  private final DownloadQueue queue;
  private final byte[] secret;
  private final String sessionId = Gid.random() + Gid.random();
  private final Host host;
  /** Options changeGlobalOption set for downloads added later; guarded by this. */
  private final Map<String, Object> defaults = new LinkedHashMap<>();

  /** What changeOption may change: what a restart of the engine run applies. */
  static final Set<String> CHANGEABLE = Set.of("split", "max-connection-per-server", "max-download-limit",
      "checksum", "header");
  /** What changeGlobalOption may change: the queue length, and defaults for new downloads. */
  static final Set<String> GLOBAL_CHANGEABLE = Set.of("max-concurrent-downloads", "split",
      "max-connection-per-server", "max-download-limit");

  /** @param secret the RPC secret, or {@code null} when none is required */
  Aria2Rpc(DownloadQueue queue, String secret, Host host) {
    this.queue = queue;
    this.secret = secret == null ? null : ("token:" + secret).getBytes(StandardCharsets.UTF_8);
    this.host = host;
  }

  /** The response to a parsed request body (an object, or a non-empty array of them). */
  Object handle(Object request) {
    if (request instanceof List<?> batch) {
      if (batch.isEmpty() || batch.size() > MAX_CALLS) {
        return error(null, new RpcException(RpcException.INVALID_REQUEST, "Invalid Request."));
      }
      List<Object> out = new ArrayList<>();
      for (Object r : batch) {
        out.add(single(r));
      }
      return out;
    }
    return single(request);
  }

  /** The error response for a body that is not JSON. */
  static Map<String, Object> parseError() {
    return error(null, new RpcException(RpcException.PARSE_ERROR, "Parse error."));
  }

  private Object single(Object request) {
    if (!(request instanceof Map<?, ?> m)) {
      return error(null, new RpcException(RpcException.INVALID_REQUEST, "Invalid Request."));
    }
    Object id = m.get("id");
    if (id instanceof Map || id instanceof List) {
      id = null;
    }
    try {
      if (!(m.get("method") instanceof String method)) {
        throw new RpcException(RpcException.INVALID_REQUEST, "Invalid Request.");
      }
      Object params = m.containsKey("params") ? m.get("params") : List.of();
      if (!(params instanceof List<?> list)) {
        throw new RpcException(RpcException.INVALID_PARAMS, "Invalid params.");
      }
      return result(id, call(method, new ArrayList<>(list), false));
    } catch (RpcException e) {
      return error(id, e);
    }
  }

  private Object call(String method, List<Object> params, boolean inMulticall) throws RpcException {
    switch (method) {
      case "system.listMethods":
        return METHODS;
      case "system.listNotifications":
        return NOTIFICATIONS;
      case "system.multicall":
        if (inMulticall) {
          throw RpcException.aria2("Recursive system.multicall forbidden.");
        }
        return multicall(params);
      default:
        break;
    }
    if (!METHODS.contains(method)) {
      throw new RpcException(RpcException.METHOD_NOT_FOUND, "No such method: " + clip(method));
    }
    authorize(params);
    Args a = new Args(params);
    switch (method) {
      case "aria2.addUri":
        return addUri(a);
      case "aria2.remove":
      case "aria2.forceRemove":
        return queue.remove(a.gid(0));
      case "aria2.pause":
      case "aria2.forcePause":
        return queue.pause(a.gid(0));
      case "aria2.pauseAll":
      case "aria2.forcePauseAll":
        queue.pauseAll();
        return "OK";
      case "aria2.unpause":
        return queue.unpause(a.gid(0));
      case "aria2.unpauseAll":
        queue.unpauseAll();
        return "OK";
      case "aria2.tellStatus":
        return StatusView.of(queue.find(a.gid(0)), a.keys(1));
      case "aria2.getUris":
        return StatusView.uris(queue.find(a.gid(0)));
      case "aria2.getFiles": {
        Task t = queue.find(a.gid(0));
        return StatusView.files(t, t.progress());
      }
      case "aria2.getServers": {
        Task t = queue.find(a.gid(0));
        if (t.status != Status.ACTIVE) {
          throw RpcException.aria2("No active download for GID#" + t.gid);
        }
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("uri", t.uri.toString());
        server.put("currentUri", t.uri.toString());
        server.put("downloadSpeed", Long.toString(t.progress().bytesPerSecond()));
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("index", "1");
        entry.put("servers", List.of(server));
        return List.of(entry);
      }
      case "aria2.tellActive":
        return statuses(queue.active(), a.keys(0));
      case "aria2.tellWaiting":
        return statuses(window(queue.waiting(), a.integer(0), a.integer(1)), a.keys(2));
      case "aria2.tellStopped":
        return statuses(window(queue.stopped(), a.integer(0), a.integer(1)), a.keys(2));
      case "aria2.getOption": {
        Task t = queue.find(a.gid(0));
        Map<String, Object> o = new LinkedHashMap<>(t.options.raw());
        o.put("dir", t.dir.toString());
        o.put("split", Integer.toString(t.options.connections()));
        return o;
      }
      case "aria2.changeOption": {
        Task t = queue.find(a.gid(0));
        queue.changeOptions(t.gid, t.options.with(a.object(1), CHANGEABLE));
        return "OK";
      }
      case "aria2.changePosition": {
        if (!a.has(2) || !(a.p.get(2) instanceof String how)) {
          throw RpcException.aria2("Illegal argument.");
        }
        return queue.changePosition(a.gid(0), a.integer(1), how);
      }
      case "aria2.getGlobalOption": {
        Map<String, Object> m = new LinkedHashMap<>(host.globalOptions());
        synchronized (this) {
          m.putAll(defaults);
        }
        m.put("max-concurrent-downloads", Integer.toString(queue.maxActive()));
        return m;
      }
      case "aria2.changeGlobalOption":
        changeGlobal(a.object(0));
        return "OK";
      case "aria2.getGlobalStat": {
        long[] s = queue.stat();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("downloadSpeed", Long.toString(s[0]));
        m.put("uploadSpeed", "0");
        m.put("numActive", Long.toString(s[1]));
        m.put("numWaiting", Long.toString(s[2]));
        m.put("numStopped", Long.toString(s[3]));
        m.put("numStoppedTotal", Long.toString(s[3]));
        return m;
      }
      case "aria2.purgeDownloadResult":
        queue.purge();
        return "OK";
      case "aria2.removeDownloadResult":
        queue.removeResult(a.gid(0));
        return "OK";
      case "aria2.getVersion": {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", VERSION);
        m.put("enabledFeatures", List.of("HTTPS"));
        return m;
      }
      case "aria2.getSessionInfo":
        return Map.of("sessionId", sessionId);
      case "aria2.saveSession": {
        String failure = host.saveSession();
        if (failure != null) {
          throw RpcException.aria2("Failed to save the session: " + failure);
        }
        return "OK";
      }
      case "aria2.shutdown":
      case "aria2.forceShutdown":
        host.shutdown();
        return "OK";
      default:
        throw new IllegalStateException("listed but not dispatched: " + method);
    }
  }

  private String addUri(Args a) throws RpcException {
    List<String> uris = a.strings(0);
    if (uris.isEmpty()) {
      throw RpcException.aria2("No URI to download.");
    }
    URI uri;
    try {
      uri = Rget.parseUrl(uris.get(0)); // further URIs would be mirrors: rget fetches from the first
    } catch (DownloadException e) {
      throw RpcException.aria2(e.getMessage());
    }
    Map<String, Object> given = new LinkedHashMap<>();
    synchronized (this) {
      given.putAll(defaults);
    }
    given.putAll(a.object(1));
    TaskOptions options = TaskOptions.parse(given);
    int position = a.has(2) ? (int) Math.min(Integer.MAX_VALUE, Math.max(0, a.integer(2))) : -1;
    // aria2's "pause" option: added paused, as front-ends do for "add without starting".
    boolean paused = "true".equals(String.valueOf(given.get("pause")));
    return queue.add(null, uri, options, null, paused, position);
  }

  /** Checks every change before applying any, so a refused call changes nothing. */
  private synchronized void changeGlobal(Map<String, Object> changes) throws RpcException {
    Map<String, Object> next = new LinkedHashMap<>(defaults);
    int maxActive = -1;
    for (Map.Entry<String, Object> e : changes.entrySet()) {
      if (!GLOBAL_CHANGEABLE.contains(e.getKey())) {
        throw RpcException.aria2("We encountered a problem while processing the option '--"
            + clip(e.getKey()) + "': rget cannot change it");
      }
      if (e.getKey().equals("max-concurrent-downloads")) {
        Object v = e.getValue();
        maxActive = TaskOptions.positive(e.getKey(), v instanceof Long ? v.toString() : v instanceof String s ? s : "");
      } else {
        next.put(e.getKey(), e.getValue());
      }
    }
    Map<String, Object> checked = TaskOptions.parse(next).raw(); // refuses bad values
    defaults.clear();
    defaults.putAll(checked);
    if (maxActive > 0) {
      queue.maxActive(maxActive);
    }
  }

  private Object multicall(List<Object> params) throws RpcException {
    if (params.size() != 1 || !(params.get(0) instanceof List<?> calls) || calls.size() > MAX_CALLS) {
      throw new RpcException(RpcException.INVALID_PARAMS, "Invalid params.");
    }
    List<Object> out = new ArrayList<>();
    for (Object c : calls) {
      try {
        if (!(c instanceof Map<?, ?> m) || !(m.get("methodName") instanceof String name)) {
          throw RpcException.aria2("Missing methodName.");
        }
        Object p = m.containsKey("params") ? m.get("params") : List.of();
        if (!(p instanceof List<?> list)) {
          throw RpcException.aria2("Params must be an array.");
        }
        out.add(List.of(nullSafe(call(name, new ArrayList<>(list), true))));
      } catch (RpcException e) {
        out.add(errorObject(e));
      }
    }
    return out;
  }

  /**
   * Checks and removes the {@code token:SECRET} first parameter. Compared in constant time; the
   * answer never says what was expected. Without a secret a token is accepted and dropped, as aria2 does.
   */
  private void authorize(List<Object> params) throws RpcException {
    Object first = params.isEmpty() ? null : params.get(0);
    boolean hasToken = first instanceof String s && s.startsWith("token:");
    if (secret != null) {
      if (!hasToken || !MessageDigest.isEqual(secret, ((String) first).getBytes(StandardCharsets.UTF_8))) {
        throw RpcException.aria2("Unauthorized");
      }
    }
    if (hasToken) {
      params.remove(0);
    }
  }

  private static List<Object> statuses(List<Task> tasks, Set<String> keys) {
    List<Object> out = new ArrayList<>();
    for (Task t : tasks) {
      out.add(StatusView.of(t, keys));
    }
    return out;
  }

  /**
   * aria2's window for tellWaiting/tellStopped: {@code num} items from {@code offset}; a negative
   * offset counts from the end and the items come in reverse order.
   */
  static List<Task> window(List<Task> all, long offset, long num) throws RpcException {
    if (num < 0) {
      throw RpcException.aria2("num must be non-negative");
    }
    List<Task> out = new ArrayList<>();
    int n = all.size();
    if (offset >= 0) {
      for (long i = offset; i < n && out.size() < num; i++) {
        out.add(all.get((int) i));
      }
    } else {
      for (long i = n + offset; i >= 0 && out.size() < num; i--) {
        if (i < n) {
          out.add(all.get((int) i));
        }
      }
    }
    return out;
  }

  static Map<String, Object> result(Object id, Object result) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("jsonrpc", "2.0");
    m.put("result", nullSafe(result));
    return m;
  }

  static Map<String, Object> error(Object id, RpcException e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("jsonrpc", "2.0");
    m.put("error", errorObject(e));
    return m;
  }

  private static Map<String, Object> errorObject(RpcException e) {
    Map<String, Object> err = new LinkedHashMap<>();
    err.put("code", (long) e.code());
    err.put("message", e.getMessage());
    return err;
  }

  private static Object nullSafe(Object o) {
    return o == null ? "OK" : o;
  }

  private static String clip(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }

  /** Positional parameters with aria2's types; a wrong type is an aria2 error. */
  private static final class Args {
    final List<Object> p;

    Args(List<Object> p) {
      this.p = p;
    }

    boolean has(int i) {
      return i < p.size() && p.get(i) != null;
    }

    String gid(int i) throws RpcException {
      if (!has(i) || !(p.get(i) instanceof String s)) {
        throw RpcException.aria2("GID is not provided.");
      }
      if (!Gid.valid(s)) {
        throw RpcException.aria2("Bad GID " + clip(s));
      }
      return s.toLowerCase(java.util.Locale.ROOT);
    }

    long integer(int i) throws RpcException {
      if (has(i) && p.get(i) instanceof Long l) {
        return l;
      }
      if (has(i) && p.get(i) instanceof String s) {
        try {
          return Long.parseLong(s);
        } catch (NumberFormatException e) {
          throw RpcException.aria2("Bad number " + clip(s));
        }
      }
      throw RpcException.aria2("Integer expected as parameter " + (i + 1));
    }

    List<String> strings(int i) throws RpcException {
      if (!has(i) || !(p.get(i) instanceof List<?> list)) {
        throw RpcException.aria2("URIs are not provided.");
      }
      List<String> out = new ArrayList<>();
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw RpcException.aria2("URI must be a string.");
        }
        out.add(s);
      }
      return out;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> object(int i) throws RpcException {
      if (!has(i)) {
        return Map.of();
      }
      if (!(p.get(i) instanceof Map)) {
        throw RpcException.aria2("Options must be a struct.");
      }
      return (Map<String, Object>) p.get(i);
    }

    Set<String> keys(int i) throws RpcException {
      if (!has(i)) {
        return Set.of();
      }
      if (!(p.get(i) instanceof List<?> list)) {
        throw RpcException.aria2("Keys must be an array.");
      }
      Set<String> out = new HashSet<>();
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw RpcException.aria2("Keys must be strings.");
        }
        out.add(s);
      }
      return out;
    }
  }
}
