package dev.rget.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The local name of a download never leaves the output directory, whatever the server says. */
class FileNamesTest {

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "attachment; filename=\"report.pdf\"             | report.pdf",
      "attachment; filename=plain.txt                  | plain.txt",
      "attachment; filename*=UTF-8''na%C3%AFve%20file.txt; filename=\"ascii.txt\" | naïve file.txt",
      "attachment; filename=\"../../etc/passwd\"        | passwd",
      "attachment; filename=\"..\\\\..\\\\boot.ini\"    | boot.ini",
      "attachment; filename=\"/abs/path/x.bin\"         | x.bin",
      "attachment; filename=\".bashrc\"                 | bashrc",
      "attachment; filename*=UTF-8''..%2F..%2Fx        | x",
      "attachment; filename*=UTF-8''%0Aevil%00         | _evil_",
      "attachment; filename*=UTF-8''evil%E2%80%AEgpj.exe | evil_gpj.exe",
      "attachment; filename*=UTF-8''a%C2%9B2Jb%E2%81%A6  | a_2Jb_",
  })
  void contentDispositionNamesAreOnePathComponent(String header, String expected) {
    assertThat(FileNames.fromContentDisposition(header)).contains(expected);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "attachment; filename=\"..\"",
      "attachment; filename=\"/\"",
      "inline",
  })
  void unusableNamesFallBackToTheUrl(String header) {
    assertThat(FileNames.fromContentDisposition(header)).isEmpty();
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "http://h/dir/file.iso            | file.iso",
      "http://h/dir/a%20b.tar.gz?x=1    | a b.tar.gz",
      "http://h/dir/                    | index.html",
      "http://h                         | index.html",
      "http://h/%2e%2e                  | index.html",
      "http://h/x/..%2f..%2fetc%2fpasswd | passwd",
      "http://h/c%2B%2B.pdf             | c++.pdf",
  })
  void urlPathsGiveTheLastSegment(String url, String expected) {
    assertThat(FileNames.fromUri(URI.create(url))).isEqualTo(expected);
  }
}
