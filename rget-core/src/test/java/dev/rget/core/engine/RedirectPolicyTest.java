package dev.rget.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.transport.PrivateAddress;
import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which addresses a redirect may not lead to when private redirects are refused. */
class RedirectPolicyTest {

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1, true", "127.8.9.10, true", "::1, true", "0.0.0.0, true", "::, true",
      "10.1.2.3, true", "172.16.0.1, true", "172.31.255.255, true", "192.168.1.1, true",
      "169.254.169.254, true", "fe80::1, true", "fd00::1, true", "fc12::1, true",
      "100.64.0.1, true", "100.127.255.255, true", "::ffff:127.0.0.1, true",
      "8.8.8.8, false", "172.32.0.1, false", "100.128.0.1, false", "2001:db8::1, false",
      "93.184.216.34, false",
  })
  void privateAddressesAreRecognised(String address, boolean isPrivate) throws Exception {
    assertThat(PrivateAddress.is(InetAddress.getByName(address))).isEqualTo(isPrivate);
  }
}
