package dev.rget.server;

import java.util.Locale;
import java.util.Map;

/** Content-Type by file extension: a small built-in table; anything else is octet-stream. */
final class MimeTypes {
  static final String DEFAULT = "application/octet-stream";

  private static final Map<String, String> TYPES = Map.ofEntries(
      Map.entry("html", "text/html; charset=utf-8"),
      Map.entry("htm", "text/html; charset=utf-8"),
      Map.entry("css", "text/css; charset=utf-8"),
      Map.entry("js", "text/javascript; charset=utf-8"),
      Map.entry("mjs", "text/javascript; charset=utf-8"),
      Map.entry("json", "application/json"),
      Map.entry("txt", "text/plain; charset=utf-8"),
      Map.entry("md", "text/markdown; charset=utf-8"),
      Map.entry("csv", "text/csv; charset=utf-8"),
      Map.entry("xml", "application/xml"),
      Map.entry("svg", "image/svg+xml"),
      Map.entry("png", "image/png"),
      Map.entry("jpg", "image/jpeg"),
      Map.entry("jpeg", "image/jpeg"),
      Map.entry("gif", "image/gif"),
      Map.entry("webp", "image/webp"),
      Map.entry("ico", "image/x-icon"),
      Map.entry("pdf", "application/pdf"),
      Map.entry("wasm", "application/wasm"),
      Map.entry("zip", "application/zip"),
      Map.entry("gz", "application/gzip"),
      Map.entry("tgz", "application/gzip"),
      Map.entry("bz2", "application/x-bzip2"),
      Map.entry("xz", "application/x-xz"),
      Map.entry("zst", "application/zstd"),
      Map.entry("tar", "application/x-tar"),
      Map.entry("7z", "application/x-7z-compressed"),
      Map.entry("jar", "application/java-archive"),
      Map.entry("deb", "application/vnd.debian.binary-package"),
      Map.entry("rpm", "application/x-rpm"),
      Map.entry("iso", "application/x-iso9660-image"),
      Map.entry("mp3", "audio/mpeg"),
      Map.entry("ogg", "audio/ogg"),
      Map.entry("wav", "audio/wav"),
      Map.entry("mp4", "video/mp4"),
      Map.entry("webm", "video/webm"),
      Map.entry("mkv", "video/x-matroska"));

  private MimeTypes() {}

  /** The Content-Type for a file name. */
  static String forName(String fileName) {
    int dot = fileName.lastIndexOf('.');
    if (dot < 0 || dot == fileName.length() - 1) {
      return DEFAULT;
    }
    return TYPES.getOrDefault(fileName.substring(dot + 1).toLowerCase(Locale.ROOT), DEFAULT);
  }
}
