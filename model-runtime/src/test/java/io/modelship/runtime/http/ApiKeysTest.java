package io.modelship.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

  @Test
  void acceptsListedKeysOnlyIgnoringCommentsAndBlankLines() {
    ApiKeys keys =
        ApiKeys.of(
            List.of("# team A", "", "  key-aaaaaaaaaaaaaaaa  ", "key-bbbbbbbbbbbbbbbb"), "f");
    assertThat(keys.accepts("key-aaaaaaaaaaaaaaaa")).isTrue();
    assertThat(keys.accepts("key-bbbbbbbbbbbbbbbb")).isTrue();
    assertThat(keys.accepts("key-aaaaaaaaaaaaaaa")).isFalse();
    assertThat(keys.accepts("")).isFalse();
    assertThat(keys.accepts(null)).isFalse();
    assertThat(keys.accepts("# team A")).isFalse();
  }

  @Test
  void refusesAFileWithoutKeysOrWithShortKeys() {
    assertThatThrownBy(() -> ApiKeys.of(List.of("# nothing"), "keys.txt"))
        .hasMessage("keys.txt: API keys file holds no key");
    assertThatThrownBy(() -> ApiKeys.of(List.of("# c", "short"), "keys.txt"))
        .hasMessageStartingWith("keys.txt:2: API key is shorter than 16 characters");
  }

  @Test
  void unreadableFileIsNamed() {
    assertThatThrownBy(() -> ApiKeys.read(java.nio.file.Path.of("/no/such/keys")))
        .hasMessageStartingWith("/no/such/keys: cannot read API keys file");
  }
}
