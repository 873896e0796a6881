package dev.rget.server;

import dev.rget.core.range.ByteRange;
import dev.rget.core.range.ContentRange;
import dev.rget.core.http.HttpDate;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;

/**
 * Decides the reply to one request: maps the target to a file under the root, evaluates the
 * preconditions, plans the ranges. Sends nothing itself. Runs on the connection's event loop; its
 * only file-system calls are resolving the path, one stat, one open (and reading a directory for a
 * listing).
 */
final class FileResponder {
  static final String ALLOW = "GET, HEAD";

  private final Path realRoot;

  FileResponder(Path realRoot) {
    this.realRoot = realRoot;
  }

  Reply respond(HttpRequest req) {
    String method = req.method().name();
    boolean head = method.equals("HEAD");
    if (!head && !method.equals("GET")) {
      Reply r = Reply.error(HttpResponseStatus.METHOD_NOT_ALLOWED);
      r.headers.set(HttpHeaderNames.ALLOW, ALLOW);
      return r;
    }
    RequestPath path;
    try {
      path = RequestPath.parse(req.uri());
    } catch (RequestPath.BadPathException e) {
      return Reply.error(HttpResponseStatus.BAD_REQUEST);
    }

    Path target = realRoot;
    for (String segment : path.segments()) {
      target = target.resolve(segment);
    }
    Path real;
    BasicFileAttributes attrs;
    try {
      real = target.toRealPath();
      if (!real.startsWith(realRoot)) {
        return Reply.error(HttpResponseStatus.NOT_FOUND); // a symlink leading out of the root
      }
      attrs = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return ioError(e);
    }

    if (attrs.isDirectory()) {
      return directory(real, path);
    }
    if (!attrs.isRegularFile() || path.trailingSlash()) {
      return Reply.error(HttpResponseStatus.NOT_FOUND); // devices, FIFOs, sockets; "file/"
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(real, StandardOpenOption.READ);
    } catch (IOException e) {
      return ioError(e);
    }
    OpenFile file = new OpenFile(channel);
    try {
      Reply r = fileReply(req, method, FileInfo.of(real.getFileName().toString(), attrs), file);
      if (r.file == file) {
        file = null; // the reply owns it now
      }
      return r;
    } finally {
      if (file != null) {
        file.release();
      }
    }
  }

  private Reply fileReply(HttpRequest req, String method, FileInfo info, OpenFile file) {
    HttpHeaders h = req.headers();
    String range = joined(h, HttpHeaderNames.RANGE);
    Preconditions.Request conditions = new Preconditions.Request(
        method,
        joined(h, HttpHeaderNames.IF_MATCH),
        joined(h, HttpHeaderNames.IF_UNMODIFIED_SINCE),
        joined(h, HttpHeaderNames.IF_NONE_MATCH),
        joined(h, HttpHeaderNames.IF_MODIFIED_SINCE),
        joined(h, HttpHeaderNames.IF_RANGE),
        range != null);

    switch (Preconditions.evaluate(conditions, info.validators(), Instant.now())) {
      case PRECONDITION_FAILED:
        return Reply.error(HttpResponseStatus.PRECONDITION_FAILED);
      case NOT_MODIFIED: {
        Reply r = new Reply(HttpResponseStatus.NOT_MODIFIED);
        validators(r, info);
        return r;
      }
      case IGNORE_RANGE:
        range = null;
        break;
      case PROCEED:
      default:
        break;
    }
    // RFC 9110 section 14.2: Range is defined for GET only; HEAD answers as an unranged GET.
    RangePlan plan = method.equals("GET") ? RangePlan.of(range, info.size()) : RangePlan.whole();

    switch (plan.kind()) {
      case UNSATISFIABLE: {
        Reply r = Reply.error(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
        r.headers.set(HttpHeaderNames.CONTENT_RANGE, ContentRange.unsatisfied(info.size()).format());
        r.headers.set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
        return r;
      }
      case WHOLE: {
        Reply r = new Reply(HttpResponseStatus.OK);
        validators(r, info);
        r.headers.set(HttpHeaderNames.CONTENT_TYPE, info.contentType());
        r.file = file;
        if (info.size() > 0) {
          r.body(new ByteRange(0, info.size() - 1));
        }
        return r;
      }
      case PARTIAL:
      default:
        break;
    }
    Reply r = new Reply(HttpResponseStatus.PARTIAL_CONTENT);
    validators(r, info);
    r.file = file;
    List<ByteRange> ranges = plan.ranges();
    if (ranges.size() == 1) {
      r.headers.set(HttpHeaderNames.CONTENT_TYPE, info.contentType());
      r.headers.set(HttpHeaderNames.CONTENT_RANGE, ContentRange.of(ranges.get(0), info.size()).format());
      r.body(ranges.get(0));
      return r;
    }
    MultipartByteranges m = MultipartByteranges.of(ranges, info.size(), info.contentType());
    r.headers.set(HttpHeaderNames.CONTENT_TYPE, m.contentType());
    for (int i = 0; i < ranges.size(); i++) {
      r.body(m.headers().get(i)).body(ranges.get(i));
    }
    r.body(m.trailer());
    return r;
  }

  private static void validators(Reply r, FileInfo info) {
    r.headers.set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
    r.headers.set(HttpHeaderNames.ETAG, info.etag().format());
    r.headers.set(HttpHeaderNames.LAST_MODIFIED, HttpDate.format(info.lastModified()));
  }

  private Reply directory(Path real, RequestPath path) {
    if (!path.trailingSlash()) {
      Reply r = Reply.error(HttpResponseStatus.MOVED_PERMANENTLY);
      r.headers.set(HttpHeaderNames.LOCATION, path.encoded(true));
      return r;
    }
    byte[] page;
    try {
      page = DirectoryListing.render(real, path.display(), real.equals(realRoot));
    } catch (IOException e) {
      return ioError(e);
    }
    Reply r = new Reply(HttpResponseStatus.OK);
    r.headers.set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
    r.body(page);
    return r;
  }

  private static Reply ioError(IOException e) {
    if (e instanceof AccessDeniedException) {
      return Reply.error(HttpResponseStatus.FORBIDDEN);
    }
    if (e instanceof NoSuchFileException || e instanceof NotDirectoryException
        || e instanceof FileSystemException) {
      return Reply.error(HttpResponseStatus.NOT_FOUND); // includes ELOOP, ENAMETOOLONG
    }
    return Reply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR);
  }

  /** All values of a header joined with ", " (RFC 9110 section 5.3), or null if absent. */
  private static String joined(HttpHeaders h, CharSequence name) {
    List<String> all = h.getAll(name);
    if (all.isEmpty()) {
      return null;
    }
    return all.size() == 1 ? all.get(0) : String.join(", ", all);
  }
}
