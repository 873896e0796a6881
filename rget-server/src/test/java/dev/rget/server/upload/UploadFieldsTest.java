package dev.rget.server.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure parsers of the upload endpoint's hostile header fields and records, as tables of cases. */
class UploadFieldsTest {
  static final String ID_A = "AAAAAAAAAAAAAAAAAAAAAA";
  static final String ID_B = "BBBBBBBBBBBBBBBBBBBBB_";

  @Test
  void concatHeaderTakesOnlySameOriginUploadPaths() throws Exception {
    assertThat(ConcatHeader.parse("partial", "h").isFinal()).isFalse();
    assertThat(ConcatHeader.parse("final;/uploads/" + ID_A + "  https://H:8080/uploads/" + ID_B, "h:8080").ids())
        .containsExactly(ID_A, ID_B);
    String[][] refused = {
        {"final;http:///uploads/" + ID_A, "h", "an empty authority"},
        {"final;http://h@evil/uploads/" + ID_A, "h", "userinfo"},
        {"final;//h/uploads/" + ID_A, "h", "a network-path reference"},
        {"final;/uploads/" + ID_A + "#x", "h", "a fragment"},
        {"final;/uploads/" + ID_A + "/", "h", "a trailing slash"},
        {"final;/UPLOADS/" + ID_A, "h", "another path"},
        {"final;/uploads/" + ID_A + "\t/uploads/" + ID_B, "h", "a tab between URLs"},
        {"Final;/uploads/" + ID_A, "h", "the role is case-sensitive"},
    };
    for (String[] c : refused) {
      assertThatThrownBy(() -> ConcatHeader.parse(c[0], c[1])).as(c[2])
          .isInstanceOf(ConcatHeader.BadConcatException.class);
    }
    // without a Host, a path still names this server, an absolute URL cannot be checked
    assertThat(ConcatHeader.parse("final;/uploads/" + ID_A, null).ids()).containsExactly(ID_A);
    assertThatThrownBy(() -> ConcatHeader.parse("final;http://h/uploads/" + ID_A, null))
        .isInstanceOf(ConcatHeader.BadConcatException.class);
    assertThatThrownBy(() -> ConcatHeader.parse("final;/x/\u0001\u001b[2J", "h"))
        .hasMessageNotContaining("\u001b").hasMessageNotContaining("\u0001");
    assertThat(ConcatHeader.finalValue(List.of(ID_A, ID_B))).isEqualTo("final;/uploads/" + ID_A + " /uploads/" + ID_B);
  }

  @Test
  void contentDispositionFileNames() {
    String[][] cases = {
        {"inline; filename=\"a b.txt\"", "a b.txt"},
        {"inline; filename=plain.txt", "plain.txt"},
        {"attachment; filename=\"q\\\"uote.txt\"", "q\"uote.txt"},
        {"inline; filename=\"fallback.txt\"; filename*=UTF-8''%C3%A9t%C3%A9.txt", "été.txt"},
        {"inline; filename*=utf-8'en'x%20y.txt", "x y.txt"},
        {"inline; filename*=UTF-8''bad%C3.txt; filename=\"ok.txt\"", "ok.txt"}, // broken UTF-8: the plain one
        {"inline; filename*=UTF-8''bad%G1.txt", null},                          // a broken escape and nothing else
        {"inline", null},
        {"inline; name=\"field\"", null},
        {"inline; xfilename=\"no.txt\"", null},
    };
    for (String[] c : cases) {
      assertThat(ContentDisposition.filename(c[0])).as(c[0]).isEqualTo(c[1]);
    }
    assertThat(ContentDisposition.filename(null)).isNull();
    // whatever is proposed, SafeName makes it one harmless component
    assertThat(SafeName.of(ContentDisposition.filename("inline; filename=\"../../etc/passwd\""), "x"))
        .isEqualTo("passwd");
  }

  @Test
  void digestFieldsTakeTheStrongestKnownAlgorithm() throws Exception {
    String sha256 = ":" + "A".repeat(43) + "=:";
    String sha512 = ":" + "B".repeat(86) + "==:";
    assertThat(DigestFields.parse("D", "sha-256=" + sha256).algorithm()).isEqualTo("sha-256");
    assertThat(DigestFields.parse("D", "sha-256=" + sha256 + ", sha-512=" + sha512).algorithm()).isEqualTo("sha-512");
    assertThat(DigestFields.parse("D", "SHA-512=" + sha512 + ";p=1").algorithm()).isEqualTo("sha-512");
    assertThat(DigestFields.parse("D", "md5=:AAAA:, unixsum=:AAAA:")).as("only unknown algorithms").isNull();
    String[] refused = {"sha-256=" + sha256.substring(1), "sha-256=AAAA", "sha-256=:!!!:", "sha-256=:AAAA:",
        "sha-512=" + sha256, "sha-256"};
    for (String v : refused) {
      assertThatThrownBy(() -> DigestFields.parse("D", v)).as(v).isInstanceOf(DigestFields.BadDigestException.class);
    }
    assertThat(DigestFields.wanted("sha-256=3, sha-512=7")).isEqualTo("sha-512");
    assertThat(DigestFields.wanted("sha-512=0, sha-256=1")).isEqualTo("sha-256");
    assertThat(DigestFields.wanted("md5=9, sha-256=x")).isNull();
  }

  @Test
  void structuredBooleansAreExact() {
    assertThat(DraftEndpoint.parseBoolean("?1")).isTrue();
    assertThat(DraftEndpoint.parseBoolean(" ?0 ")).isFalse();
    for (String v : new String[] {"1", "true", "?2", "?1;a", "", "?1, ?0"}) {
      assertThat(DraftEndpoint.parseBoolean(v)).as(v).isNull();
    }
  }

  @Test
  void recordsRoundTripAndOlderRecordsStillLoad() throws IOException {
    UploadInfo info = new UploadInfo(ID_A, UploadInfo.UNKNOWN, 7, 123, "filename eA==", "x", false, null,
        UploadInfo.Kind.DRAFT, UploadInfo.Concat.FINAL, List.of(ID_B), "sha-256=:AA==:");
    assertThat(UploadInfo.decode(ID_A, info.encode())).isEqualTo(info);
    // written before deferred lengths, kinds and concatenation existed
    byte[] old = ("rget-upload 1\nlength=10\noffset=4\nexpires=99\nmetadata=\nname=old.bin\ncomplete=0\nend\n")
        .getBytes(StandardCharsets.UTF_8);
    UploadInfo o = UploadInfo.decode(ID_A, old);
    assertThat(o.kind()).isEqualTo(UploadInfo.Kind.TUS);
    assertThat(o.concat()).isEqualTo(UploadInfo.Concat.NONE);
    assertThat(o.parts()).isEmpty();
    assertThat(o.offset()).isEqualTo(4);
    byte[] badPart = new String(info.encode(), StandardCharsets.UTF_8).replace(ID_B, "../../x")
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> UploadInfo.decode(ID_A, badPart)).isInstanceOf(IOException.class);
    byte[] badKind = new String(info.encode(), StandardCharsets.UTF_8).replace("kind=DRAFT", "kind=X")
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> UploadInfo.decode(ID_A, badKind)).isInstanceOf(IOException.class);
  }
}
