package dev.rget.server;

import dev.rget.core.range.ByteRange;
import dev.rget.core.range.ContentRange;
import dev.rget.core.http.HttpDate;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.time.Instant;
import java.util.List;

/**
 * Decides the reply to one request whose target has been parsed and checked: finds the file or
 * directory under the root ({@link ServedTree}: opened first, never following a link out of the
 * root, never opening anything but files and directories), evaluates the preconditions, plans the
 * ranges. Sends nothing itself. Its file-system calls block, so it runs on a file-system thread,
 * never on an event loop.
 */
final class FileResponder {
  static final String ALLOW = "GET, HEAD";

  private final ServedTree tree;
  private final MemoryBudget listings;

  FileResponder(ServedTree tree, MemoryBudget listings) {
    this.tree = tree;
    this.listings = listings;
  }

  /** The reply to a GET or HEAD of {@code path}. */
  Reply respond(HttpRequest req, RequestPath path) {
    Object found;
    try {
      found = tree.open(path.segments());
    } catch (ServedTree.UnstableException e) {
      Reply r = Reply.error(HttpResponseStatus.SERVICE_UNAVAILABLE);
      r.headers.set(HttpHeaderNames.RETRY_AFTER, "1");
      return r;
    } catch (IOException e) {
      return ioError(e);
    }
    if (found instanceof ServedTree.OpenedDirectory dir) {
      try {
        return directory(dir, path);
      } finally {
        closeQuietly(dir.stream());
      }
    }
    ServedTree.OpenedFile opened = (ServedTree.OpenedFile) found;
    OpenFile file = new OpenFile(opened.channel());
    try {
      if (path.trailingSlash()) {
        return Reply.error(HttpResponseStatus.NOT_FOUND); // "file/"
      }
      Reply r = fileReply(req, req.method().name(), FileInfo.of(opened.name(), opened.attributes()), file);
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
    if (!plan.isMultipart()) {
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
    // RFC 9110 section 8.8.2.1: never a Last-Modified later than now; a file dated in the future
    // is sent as modified now (and then is no strong validator for If-Range, see IfRange).
    Instant now = Instant.now();
    Instant lastModified = info.lastModified().isAfter(now) ? now : info.lastModified();
    r.headers.set(HttpHeaderNames.LAST_MODIFIED, HttpDate.format(lastModified));
  }

  private Reply directory(ServedTree.OpenedDirectory dir, RequestPath path) {
    if (!path.trailingSlash()) {
      Reply r = Reply.error(HttpResponseStatus.MOVED_PERMANENTLY);
      r.headers.set(HttpHeaderNames.LOCATION, path.encoded(true));
      return r;
    }
    if (!listings.tryReserve(Limits.MAX_LISTING_BYTES)) {
      Reply r = Reply.error(HttpResponseStatus.SERVICE_UNAVAILABLE); // too many pages in flight
      r.headers.set(HttpHeaderNames.RETRY_AFTER, "1");
      return r;
    }
    byte[] page;
    try {
      page = DirectoryListing.render(tree, dir, path.display());
    } catch (IOException | RuntimeException e) {
      listings.release(Limits.MAX_LISTING_BYTES);
      return e instanceof IOException io ? ioError(io) : Reply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR);
    }
    long held = page.length;
    listings.release(Limits.MAX_LISTING_BYTES - held);
    Reply r = new Reply(HttpResponseStatus.OK);
    r.headers.set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
    r.headers.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, DirectoryListing.CONTENT_SECURITY_POLICY);
    r.body(page);
    r.onRelease = () -> listings.release(held);
    return r;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // a directory handle: nothing to do if closing fails
    }
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
