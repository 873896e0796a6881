package dev.rget.core.transport.h2;

/**
 * One header field of an HTTP/2 header block.
 *
 * @param name the name (lower case on the wire in HTTP/2; pseudo-headers start with ':')
 * @param value the value
 */
public record HeaderField(String name, String value) {

  /** The size HPACK charges for this field in its dynamic table (RFC 7541 4.1). */
  public long hpackSize() {
    return name.length() + value.length() + 32L;
  }
}
