package dev.rget.core.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One authentication challenge from a {@code WWW-Authenticate} header (RFC 9110 section 11.6.1):
 * a scheme and its parameters. A header may hold several challenges, and a response several
 * headers.
 *
 * @param scheme the scheme in lower case ({@code basic}, {@code digest}, ...)
 * @param params parameter names in lower case to their unquoted values
 */
public record Challenge(String scheme, Map<String, String> params) {

  /** Copies the parameters. */
  public Challenge {
    params = Map.copyOf(params);
  }

  /** A parameter's value, or {@code null}. */
  public String param(String name) {
    return params.get(name.toLowerCase(Locale.ROOT));
  }

  /** Every challenge in the given header values, in order; malformed parts are skipped. */
  public static List<Challenge> parseAll(List<String> headerValues) {
    List<Challenge> out = new ArrayList<>();
    for (String v : headerValues) {
      parse(v, out);
    }
    return out;
  }

  private static void parse(String s, List<Challenge> out) {
    int i = 0;
    String scheme = null;
    Map<String, String> params = new LinkedHashMap<>();
    while (i < s.length()) {
      i = skip(s, i, " \t,");
      if (i >= s.length()) {
        break;
      }
      int start = i;
      while (i < s.length() && " \t,=".indexOf(s.charAt(i)) < 0) {
        i++;
      }
      String token = s.substring(start, i);
      int j = skip(s, i, " \t");
      if (j < s.length() && s.charAt(j) == '=' && scheme != null
          && !(j + 1 < s.length() && s.charAt(j + 1) == '=' )) {
        // name=value (a token68 ending in '=' belongs to schemes rget does not use)
        j = skip(s, j + 1, " \t");
        StringBuilder value = new StringBuilder();
        if (j < s.length() && s.charAt(j) == '"') {
          j++;
          while (j < s.length() && s.charAt(j) != '"') {
            if (s.charAt(j) == '\\' && j + 1 < s.length()) {
              j++;
            }
            value.append(s.charAt(j));
            j++;
          }
          j++;
        } else {
          while (j < s.length() && s.charAt(j) != ',' && s.charAt(j) != ' ') {
            value.append(s.charAt(j));
            j++;
          }
        }
        params.put(token.toLowerCase(Locale.ROOT), value.toString());
        i = j;
      } else if (j < s.length() && s.charAt(j) == '=' && scheme != null) {
        // token68: skip it
        while (j < s.length() && s.charAt(j) != ',') {
          j++;
        }
        i = j;
      } else {
        if (scheme != null) {
          out.add(new Challenge(scheme, params));
          params = new LinkedHashMap<>();
        }
        scheme = token.toLowerCase(Locale.ROOT);
        i = j;
      }
    }
    if (scheme != null) {
      out.add(new Challenge(scheme, params));
    }
  }

  private static int skip(String s, int i, String chars) {
    while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    return i;
  }
}
