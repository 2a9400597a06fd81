package io.modelship.operator.dashboard;

/**
 * What the dashboard tells its user when the API server refuses or fails a request made with their
 * token: an HTTP status for the page and a sentence naming what was refused and where.
 *
 * @param status the status the dashboard answers with
 * @param message what the page shows
 */
public record ApiError(int status, String message) {

  /**
   * @param code the API server's status code (0 when it could not be reached)
   * @param verb the Kubernetes verb tried: get, list, patch
   * @param resource the resource, plural: modeldeployments, events, namespaces
   * @param namespace the namespace, or null for a cluster-wide resource
   * @param apiMessage the API server's own message, if any
   */
  public static ApiError of(
      int code, String verb, String resource, String namespace, String apiMessage) {
    String where = namespace == null ? "" : " in namespace " + namespace;
    return switch (code) {
      case 401 ->
          new ApiError(
              401,
              "the API server did not accept your token (expired or mistyped?); sign in again");
      case 403 -> new ApiError(403, "you may not " + verb + " " + resource + where);
      case 404 -> new ApiError(404, "not found: " + resource + where + detail(apiMessage));
      case 409, 422 ->
          new ApiError(
              code,
              "the API server refused to " + verb + " " + resource + where + detail(apiMessage));
      case 0 -> new ApiError(502, "the API server could not be reached" + detail(apiMessage));
      default ->
          new ApiError(
              502,
              "the API server answered "
                  + code
                  + " to "
                  + verb
                  + " "
                  + resource
                  + where
                  + detail(apiMessage));
    };
  }

  private static String detail(String apiMessage) {
    return apiMessage == null || apiMessage.isBlank() ? "" : ": " + apiMessage;
  }
}
