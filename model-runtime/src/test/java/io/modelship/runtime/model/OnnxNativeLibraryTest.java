package io.modelship.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OnnxNativeLibraryTest {

  @Test
  void aJarWithoutThisPlatformsLibraryIsExplainedWithThePlatformAndTheWayOut() {
    String m =
        OnnxModel.nativeLibraryMissing(
            "Linux", "aarch64", "no onnxruntime in java.library.path: /usr/lib");
    assertThat(m)
        .startsWith("ONNX Runtime cannot start on linux-aarch64")
        .contains(
            "no onnxruntime in java.library.path: /usr/lib",
            "-Pedge-<platform>",
            "-Donnxruntime.native.path=DIR");
  }

  @Test
  void platformNamesFollowOnnxRuntimesOwn() {
    assertThat(OnnxModel.nativeLibraryMissing("Mac OS X", "aarch64", "x")).contains("osx-aarch64");
    assertThat(OnnxModel.nativeLibraryMissing("Linux", "amd64", "x")).contains("linux-x64");
    assertThat(OnnxModel.nativeLibraryMissing("Windows 11", "amd64", "x")).contains("win-x64");
  }
}
