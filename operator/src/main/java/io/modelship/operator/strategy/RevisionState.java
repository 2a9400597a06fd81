package io.modelship.operator.strategy;

/**
 * What is observed of one revision's Deployment and pods.
 *
 * @param specReplicas replicas the Deployment asks for
 * @param readyReplicas pods ready to serve
 * @param pods pods that exist, terminating ones included (Recreate waits for them to be gone)
 * @param failure why the revision cannot serve (a fetch that failed, a crash loop), or null
 */
public record RevisionState(
    String revision, int specReplicas, int readyReplicas, int pods, Failure failure) {

  public static RevisionState absent(String revision) {
    return new RevisionState(revision, 0, 0, 0, null);
  }
}
