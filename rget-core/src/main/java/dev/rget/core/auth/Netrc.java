package dev.rget.core.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Logins from a {@code .netrc} file, read as curl and wget read it: whitespace-separated tokens
 * {@code machine NAME}, {@code login USER}, {@code password SECRET} (also {@code account}, which
 * is ignored), a {@code default} entry for every other host, {@code macdef} blocks skipped up to
 * the next blank line, and double-quoted tokens with backslash escapes. The first entry for a
 * machine wins. Immutable.
 */
public final class Netrc {
  private final Map<String, Credentials> machines;
  private final Credentials fallback;

  private Netrc(Map<String, Credentials> machines, Credentials fallback) {
    this.machines = machines;
    this.fallback = fallback;
  }

  /** {@code ~/.netrc}. */
  public static Path defaultFile() {
    return Path.of(System.getProperty("user.home"), ".netrc");
  }

  /** Reads {@code file}. */
  public static Netrc read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  /** Parses netrc text. */
  public static Netrc parse(String text) {
    Map<String, Credentials> machines = new LinkedHashMap<>();
    Credentials fallback = null;
    List<String> tokens = tokens(text);
    String machine = null;
    boolean isDefault = false;
    String login = null;
    String password = null;
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      String next = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
      switch (t) {
        case "machine", "default" -> {
          if (machine != null || isDefault) {
            fallback = store(machines, fallback, machine, isDefault, login, password);
          }
          isDefault = t.equals("default");
          machine = isDefault ? null : next;
          if (!isDefault) {
            i++;
          }
          login = null;
          password = null;
        }
        case "login" -> {
          login = next;
          i++;
        }
        case "password" -> {
          password = next;
          i++;
        }
        case "account" -> i++;
        default -> {
          // unknown token: skipped, as curl does
        }
      }
    }
    if (machine != null || isDefault) {
      fallback = store(machines, fallback, machine, isDefault, login, password);
    }
    return new Netrc(Map.copyOf(machines), fallback);
  }

  private static Credentials store(Map<String, Credentials> machines, Credentials fallback,
      String machine, boolean isDefault, String login, String password) {
    if (login == null && password == null) {
      return fallback;
    }
    Credentials c = new Credentials(login == null ? "" : login, password == null ? "" : password);
    if (isDefault) {
      return fallback == null ? c : fallback;
    }
    if (machine != null) {
      machines.putIfAbsent(machine.toLowerCase(Locale.ROOT), c);
    }
    return fallback;
  }

  /** The login for {@code host}: its machine entry, else the default entry. */
  public Optional<Credentials> lookup(String host) {
    if (host == null) {
      return Optional.empty();
    }
    Credentials c = machines.get(host.toLowerCase(Locale.ROOT));
    return Optional.ofNullable(c != null ? c : fallback);
  }

  private static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    boolean inMacro = false;
    for (String line : lines) {
      if (inMacro) {
        if (line.isBlank()) {
          inMacro = false;
        }
        continue;
      }
      int i = 0;
      while (i < line.length()) {
        char c = line.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
          continue;
        }
        if (c == '#' && line.substring(0, i).isBlank()) {
          break; // a comment line
        }
        StringBuilder tok = new StringBuilder();
        if (c == '"') {
          i++;
          while (i < line.length() && line.charAt(i) != '"') {
            char d = line.charAt(i);
            if (d == '\\' && i + 1 < line.length()) {
              i++;
              d = line.charAt(i);
              d = d == 'n' ? '\n' : d == 'r' ? '\r' : d == 't' ? '\t' : d;
            }
            tok.append(d);
            i++;
          }
          i++;
        } else {
          while (i < line.length() && !Character.isWhitespace(line.charAt(i))) {
            tok.append(line.charAt(i));
            i++;
          }
        }
        out.add(tok.toString());
        if (tok.toString().equals("macdef")) {
          inMacro = true;
          break;
        }
      }
    }
    return out;
  }
}
