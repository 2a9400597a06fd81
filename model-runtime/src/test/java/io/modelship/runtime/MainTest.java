package io.modelship.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir Path tmp;

  @Test
  void aModelThatCannotBeServedLeavesItsReasonInTheTerminationLog() throws Exception {
    Path log = Files.createFile(tmp.resolve("termination-log"));

    int code =
        Main.cannotServe("model.onnx: not a loadable ONNX model: Protobuf parsing failed.", log);

    assertThat(code).isEqualTo(3);
    assertThat(Files.readString(log))
        .isEqualTo(
            "cannot serve the model: model.onnx: not a loadable ONNX model: Protobuf parsing"
                + " failed.\n");
  }

  @Test
  void outsideAContainerThereIsNoTerminationLogToWrite() {
    Path absent = tmp.resolve("no-such-dir/termination-log");

    assertThat(Main.cannotServe("whatever", absent)).isEqualTo(3);
    assertThat(absent).doesNotExist();
  }
}
