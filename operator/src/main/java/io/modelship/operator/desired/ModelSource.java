package io.modelship.operator.desired;

/**
 * Where a model file comes from, parsed from {@code spec.model.uri} (already checked by the CRD's
 * schema).
 *
 * @param name the ConfigMap, claim, host or bucket
 * @param path the ConfigMap key or the path inside the claim or bucket
 */
public record ModelSource(Kind kind, String uri, String name, String path) {

  public enum Kind {
    CONFIGMAP,
    PVC,
    HTTPS,
    S3
  }

  /** Mount point of ConfigMap and PVC sources inside the fetch container. */
  public static final String MOUNT = "/source";

  public static ModelSource parse(String uri) {
    int sep = uri.indexOf("://");
    if (sep < 0) {
      throw new IllegalArgumentException("spec.model.uri has no scheme: " + uri);
    }
    String scheme = uri.substring(0, sep);
    String rest = uri.substring(sep + 3);
    int slash = rest.indexOf('/');
    String name = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash + 1);
    Kind kind =
        switch (scheme) {
          case "configmap" -> Kind.CONFIGMAP;
          case "pvc" -> Kind.PVC;
          case "https" -> Kind.HTTPS;
          case "s3" -> Kind.S3;
          default ->
              throw new IllegalArgumentException(
                  "spec.model.uri: unsupported scheme \"" + scheme + "\"");
        };
    return new ModelSource(kind, uri, name, path);
  }

  /** What the fetch container is given: the mounted file, or the URL itself. */
  public String fetchUri() {
    return switch (kind) {
      case CONFIGMAP, PVC -> MOUNT + "/" + path;
      case HTTPS, S3 -> uri;
    };
  }
}
