package io.modelship.runtime.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CsvTest {

  @Test
  void splitsPlainAndQuotedCells() throws Exception {
    assertThat(Csv.split("a,b,,c")).containsExactly("a", "b", "", "c");
    assertThat(Csv.split("")).containsExactly("");
    assertThat(Csv.split("a,")).containsExactly("a", "");
    assertThat(Csv.split("\"x, y\",\"say \"\"hi\"\"\",\"\""))
        .containsExactly("x, y", "say \"hi\"", "");
  }

  @Test
  void refusesBrokenQuotingWithTheColumn() {
    assertThatThrownBy(() -> Csv.split("1,\"open"))
        .hasMessage(
            "unterminated quoted field starting at column 3 (a quoted field cannot span lines)");
    assertThatThrownBy(() -> Csv.split("\"a\"b,c"))
        .hasMessage("unexpected character 'b' after a closing quote at column 4");
  }

  @Test
  void quotesOnlyWhenNeeded() {
    assertThat(Csv.quote("setosa")).isEqualTo("setosa");
    assertThat(Csv.quote("a,b")).isEqualTo("\"a,b\"");
    assertThat(Csv.quote("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(Csv.quote(" pad")).isEqualTo("\" pad\"");
  }
}
