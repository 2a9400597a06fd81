package io.modelship.operator.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Leader election, so several operator replicas can run with one acting: a Lease in the operator's
 * namespace (the chart grants leases there). Active in the prod profile ({@code
 * quarkus.operator-sdk.activate-leader-election-for-profiles}).
 */
public class LeaderElection {
  @Produces
  @Singleton
  LeaderElectionConfiguration leaderElection(
      @ConfigProperty(name = "modelship.lease-name", defaultValue = "modelship-operator")
          String leaseName) {
    return new LeaderElectionConfiguration(leaseName);
  }
}
