package dev.rget.cli;

import dev.rget.core.SafeText;
import dev.rget.core.auth.Credentials;
import dev.rget.core.auth.Netrc;
import dev.rget.core.transport.Proxy;
import dev.rget.core.transport.ProxyRules;
import dev.rget.core.transport.TlsTrust;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/**
 * How a server is reached, the same for {@code get} and {@code upload} (a picocli mixin): extra
 * headers, User-Agent, login, proxies and TLS trust. Each reader throws an
 * {@link IllegalArgumentException} naming the flag that is wrong, for the command to report as a
 * usage error.
 */
final class ReachFlags {
  @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'",
      description = "Add a header to every request (repeatable). An upload refuses the headers"
          + " its protocol owns (Host, Content-Length, Content-Type, Upload-*, Tus-Resumable...).")
  List<String> headers = new ArrayList<>();

  @Option(names = {"-U", "--user-agent"}, paramLabel = "TEXT",
      description = "User-Agent header (default: rget/VERSION; \"\" for none).")
  String userAgent;

  @Option(names = {"-u", "--user"}, paramLabel = "USER[:PASS]",
      description = "Log in to the server as USER (Basic or Digest, as it asks); without :PASS"
          + " the password is asked on the terminal. Sent only to the URL's own origin.")
  String user;

  @Option(names = "--netrc", description = "Take logins from ~/.netrc.")
  boolean netrc;

  @Option(names = "--netrc-file", paramLabel = "FILE", description = "Take logins from FILE.")
  Path netrcFile;

  @Option(names = "--location-trusted",
      description = "Also send the login (and an upload's token) and Authorization and Cookie"
          + " headers to another host: one a download is redirected to, or an upload URL the"
          + " server names there.")
  boolean locationTrusted;

  @Option(names = {"-x", "--proxy"}, paramLabel = "URL",
      description = "Use this proxy for every request: http://[USER:PASS@]HOST:PORT, socks5://..."
          + " (names resolved here) or socks5h://... (by the proxy); \"\" for none. Default: the"
          + " http_proxy, https_proxy, all_proxy environment variables, as curl reads them.")
  String proxy;

  @Option(names = "--noproxy", paramLabel = "LIST",
      description = "Hosts reached directly, comma-separated (domains include their subdomains;"
          + " * for all); replaces no_proxy/NO_PROXY.")
  String noProxy;

  @Option(names = "--ca-certificate", paramLabel = "FILE",
      description = "Trust the certificates in this PEM file for https, instead of the JVM's"
          + " default authorities (a private CA, a self-signed server).")
  Path caCertificate;

  @Option(names = {"-k", "--insecure"},
      description = "https without checking the certificate or host name (warns on every run).")
  boolean insecure;

  /** The {@code -H} headers as name and value, in order (the value without leading space). */
  List<Map.Entry<String, String>> headers() {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (String h : headers) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("-H needs 'Name: value', got '" + SafeText.of(h) + "'");
      }
      out.add(Map.entry(h.substring(0, colon), h.substring(colon + 1)));
    }
    return out;
  }

  /** The {@code -U} value, or null for the default. */
  String userAgent() {
    return userAgent;
  }

  /** The {@code -u} login (the password asked on the terminal if not given), or null. */
  Credentials credentials() {
    if (user == null) {
      return null;
    }
    return user.indexOf(':') >= 0 ? Credentials.parse(user) : askPassword(user);
  }

  /** The logins of {@code --netrc-file} or {@code --netrc}, or null for neither. */
  Netrc netrc() {
    Path path = netrcFile != null ? netrcFile : netrc ? Netrc.defaultFile() : null;
    if (path == null) {
      return null;
    }
    try {
      return Netrc.read(path);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read netrc file " + path + ": " + e.getMessage());
    }
  }

  boolean locationTrusted() {
    return locationTrusted;
  }

  /** curl's rules: the environment {@code env}, replaced by {@code -x} and {@code --noproxy}. */
  ProxyRules proxyRules(Map<String, String> env) {
    ProxyRules rules;
    try {
      rules = ProxyRules.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("proxy environment variable: " + e.getMessage());
    }
    if (proxy != null) {
      String envNoProxy = env.get("no_proxy") != null ? env.get("no_proxy") : env.get("NO_PROXY");
      try {
        rules = proxy.isBlank() ? ProxyRules.direct()
            : ProxyRules.of(Proxy.parse(proxy), envNoProxy);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("-x: " + e.getMessage());
      }
    }
    return noProxy != null ? rules.withNoProxy(noProxy) : rules;
  }

  /** The TLS trust of {@code -k} or {@code --ca-certificate}, or null for the JVM's default. */
  SSLContext sslContext() {
    if (insecure) {
      try {
        return TlsTrust.insecure();
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("cannot set up --insecure TLS: " + e.getMessage());
      }
    }
    if (caCertificate != null) {
      try {
        return TlsTrust.trusting(caCertificate);
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalArgumentException("cannot use certificates from " + caCertificate + ": "
            + e.getMessage());
      }
    }
    return null;
  }

  /**
   * Warns on {@code err} when {@code -k} is given: on every run, even a quiet one, so that the
   * user does not forget that this {@code transfer} ("download", "upload") is unprotected.
   */
  void warnIfInsecure(PrintStream err, String transfer) {
    if (insecure) {
      err.println("rget: warning: --insecure: https certificates and host names are not"
          + " checked; anyone on the network path can read or alter this " + transfer);
    }
  }

  private static Credentials askPassword(String user) {
    java.io.Console console = System.console();
    if (console == null) {
      return new Credentials(user, "");
    }
    char[] pw = console.readPassword("Password for %s: ", user);
    return new Credentials(user, pw == null ? "" : new String(pw));
  }
}
