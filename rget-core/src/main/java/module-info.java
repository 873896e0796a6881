/**
 * The download engine, JDK only. Exported: the embedding API ({@code dev.rget.core}) and the
 * value types and protocol pieces the CLI, server and daemon build on (auth, cookies, HTTP
 * validators, byte ranges, transports and proxies, tus uploads). The engine and the HTTP/2
 * framing are internal; the resume state is read only by the CLI's demo and by the daemon (to
 * show what a paused download holds).
 */
module dev.rget.core {
  exports dev.rget.core;
  exports dev.rget.core.auth;
  exports dev.rget.core.cookie;
  exports dev.rget.core.http;
  exports dev.rget.core.range;
  exports dev.rget.core.transport;
  exports dev.rget.core.upload;
  // The demo watches a child download's progress in its state file; the daemon reads what a
  // download that is not running holds.
  exports dev.rget.core.state to dev.rget.cli, dev.rget.daemon;
}
