package dev.rget.core.auth;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * A user name and password for a server. {@link #toString()} never shows the password.
 *
 * @param user the user name
 * @param password the password (may be empty)
 */
public record Credentials(String user, String password) {

  /** Checks the parts. */
  public Credentials {
    Objects.requireNonNull(user);
    Objects.requireNonNull(password);
  }

  /**
   * Parses {@code USER[:PASSWORD]} as {@code --user} takes it; without a colon the password is
   * empty.
   */
  public static Credentials parse(String text) {
    int colon = text.indexOf(':');
    return colon < 0 ? new Credentials(text, "")
        : new Credentials(text.substring(0, colon), text.substring(colon + 1));
  }

  /** The percent-decoded {@code user:password} of a URL, if it has any. */
  public static Optional<Credentials> fromUri(URI uri) {
    String info = uri.getRawUserInfo();
    if (info == null || info.isEmpty()) {
      return Optional.empty();
    }
    int colon = info.indexOf(':');
    String user = colon < 0 ? info : info.substring(0, colon);
    String password = colon < 0 ? "" : info.substring(colon + 1);
    return Optional.of(new Credentials(decode(user), decode(password)));
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The user name only. */
  @Override
  public String toString() {
    return "Credentials[user=" + user + ", password=***]";
  }
}
