package io.modelship.operator.config;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Leader election, so several operator replicas can run with one acting: a Lease in the operator's
 * namespace (the chart grants leases there). Active in the prod profile ({@code
 * quarkus.operator-sdk.activate-leader-election-for-profiles}).
 *
 * <p>A replica that loses the Lease while running exits, so that its restart joins the election
 * again as a standby. The framework's own exit is a {@code System.exit} on the elector's thread,
 * which it also calls when a SIGTERM stops the elector: inside a shutdown that waits for the
 * shutdown, which waits for the elector's thread, and the process hung until the kubelet's SIGKILL
 * (e2e/fault-e2e.sh found it); after a lost Lease it took 27 s to stop. That exit is left off
 * ({@code build()} leaves it off) and {@link #stoppedLeading} exits through Quarkus, on a thread of
 * its own, and not at all when the JVM is already stopping.
 */
public class LeaderElection {
  private static final Logger LOG = Logger.getLogger(LeaderElection.class);

  @Produces
  @Singleton
  LeaderElectionConfiguration leaderElection(
      @ConfigProperty(name = "modelship.lease-name", defaultValue = "modelship-operator")
          String leaseName) {
    return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName)
        .withLeaderCallbacks(
            new LeaderCallbacks(() -> {}, LeaderElection::stoppedLeading, id -> {}))
        .build();
  }

  private static void stoppedLeading() {
    if (ApplicationLifecycleManager.isVmShuttingDown()) {
      return; // a normal stop: the Lease lapses without renewal
    }
    LOG.error("lost the leader-election Lease; exiting so that a restart rejoins the election");
    Quarkus.asyncExit(1);
  }
}
