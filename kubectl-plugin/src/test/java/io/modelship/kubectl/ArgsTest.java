package io.modelship.kubectl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ArgsTest {
  @Test
  void readsKubectlsFlagsInEitherForm() throws Exception {
    Args a = Args.parse("status", "iris", "-n", "models", "--watch", "--timeout=90s", "-ojson");
    assertThat(a.command()).isEqualTo("status");
    assertThat(a.operands()).containsExactly("iris");
    assertThat(a.namespace()).isEqualTo("models");
    assertThat(a.watch()).isTrue();
    assertThat(a.timeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(a.json()).isTrue();
    Args b =
        Args.parse(
            "--namespace=x", "list", "-A", "--kubeconfig", "/k", "--context", "c", "-o", "json");
    assertThat(b.allNamespaces()).isTrue();
    assertThat(b.kubeconfig()).isEqualTo("/k");
    assertThat(b.context()).isEqualTo("c");
    assertThat(Args.parse().command()).isEqualTo("help");
    assertThat(Args.parse("set-weight", "iris", "40").operands()).containsExactly("iris", "40");
  }

  @Test
  void aWrongCommandLineSaysWhatIsWrong() {
    assertThatThrownBy(() -> Args.parse("promte", "iris"))
        .hasMessageStartingWith("unknown command \"promte\"; the commands are list, status");
    assertThatThrownBy(() -> Args.parse("promote"))
        .hasMessage("kubectl modelship promote takes one ModelDeployment name, got none");
    assertThatThrownBy(() -> Args.parse("status", "a", "b"))
        .hasMessage("kubectl modelship status takes one ModelDeployment name, got 2: a b");
    assertThatThrownBy(() -> Args.parse("set-weight", "iris", "120"))
        .hasMessage("set-weight: \"120\" is not a whole percent from 0 to 100");
    assertThatThrownBy(() -> Args.parse("set-weight", "iris", "-5"))
        .hasMessage("set-weight: \"-5\" is not a whole percent from 0 to 100");
    assertThatThrownBy(() -> Args.parse("set-weight", "iris"))
        .hasMessageStartingWith("kubectl modelship set-weight takes a ModelDeployment name and");
    assertThatThrownBy(() -> Args.parse("list", "-o", "yaml"))
        .hasMessage("--output yaml is not known: use -o json, or leave it out for text");
    assertThatThrownBy(() -> Args.parse("promote", "iris", "--watch"))
        .hasMessage("--watch goes with status only");
    assertThatThrownBy(() -> Args.parse("status", "iris", "-w", "--timeout", "soon"))
        .hasMessage("--timeout soon is not a duration such as 90s, 5m or 1h");
    assertThatThrownBy(() -> Args.parse("status", "iris", "-n")).hasMessage("-n needs a value");
    assertThatThrownBy(() -> Args.parse("status", "iris", "--force"))
        .hasMessage("unknown flag --force (see kubectl modelship --help)");
    assertThatThrownBy(() -> Args.parse("status", "iris", "-A"))
        .hasMessage("--all-namespaces goes with list only");
  }
}
