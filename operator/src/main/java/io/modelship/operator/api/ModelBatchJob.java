package io.modelship.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A model run over input files, once (a Job) or on a schedule (a CronJob), writing predictions and
 * rejected rows beside them. See docs/batch.md.
 */
@Group(ModelDeployment.GROUP)
@Version(ModelDeployment.VERSION)
@ShortNames("mbj")
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Schedule",
    jsonPath = ".spec.schedule",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Rows",
    jsonPath = ".status.lastRun.rowsPredicted",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Rejected",
    jsonPath = ".status.lastRun.rowsRejected",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Progress",
    jsonPath = ".status.progress.percent",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(value = "has(self.spec)", message = "spec is required")
@ValidationRule(
    value = "self.metadata.name.size() <= 52",
    message =
        "metadata.name must be at most 52 characters: it names a CronJob (at most 52) and Jobs"
            + " <name>-<hash>")
@ValidationRule(
    value = "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
    message =
        "metadata.name must start with a letter and hold only lower-case letters, digits and '-'"
            + " (it names Jobs and pods)")
public class ModelBatchJob extends CustomResource<ModelBatchJobSpec, ModelBatchJobStatus>
    implements Namespaced {}
