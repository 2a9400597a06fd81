{{/* Chart name, overridable with nameOverride. */}}
{{- define "modelship.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name, truncated to 63 characters (the DNS label limit). If the release name
already contains the chart name it is used as is.
*/}}
{{- define "modelship.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* name-version, as used by the helm.sh/chart label. */}}
{{- define "modelship.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the operator's pods. Never change them: Deployment selectors are immutable. */}}
{{- define "modelship.selectorLabels" -}}
app.kubernetes.io/name: {{ include "modelship.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/* Standard labels on every object of the chart. */}}
{{- define "modelship.labels" -}}
helm.sh/chart: {{ include "modelship.chart" . }}
{{ include "modelship.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: modelship
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The ServiceAccount the operator runs as. */}}
{{- define "modelship.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "modelship.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Operator image reference. */}}
{{- define "modelship.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* Model runtime image reference, handed to the operator. */}}
{{- define "modelship.runtimeImage" -}}
{{- printf "%s:%s" .Values.runtime.image.repository (.Values.runtime.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* Value of the controller's namespaces setting: the watched namespaces, or all of them. */}}
{{- define "modelship.watchNamespaces" -}}
{{- if .Values.watchNamespaces }}
{{- join "," .Values.watchNamespaces }}
{{- else }}
{{- "JOSDK_ALL_NAMESPACES" }}
{{- end }}
{{- end }}

{{/*
RBAC rules the operator needs on the namespaces it watches (least privilege). Leases for leader
election are granted separately, in the release namespace only.
*/}}
{{- define "modelship.rbacRules" -}}
- apiGroups: ["modelship.io"]
  resources: ["modeldeployments"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["modelship.io"]
  resources: ["modeldeployments/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["modelship.io"]
  resources: ["modeldeployments/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["services", "configmaps"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
# spec.autoscaling: a HorizontalPodAutoscaler per revision, server-side applied, watched, deleted.
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["secrets", "persistentvolumeclaims"]
  verbs: ["get"]
# The admin token of a ModelDeployment's traffic router (Canary), made once; never listed.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
# traffic.provider GatewayAPI: the HTTPRoute <name>, read and server-side applied (no informer).
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["httproutes"]
  verbs: ["get", "create", "patch"]
# ModelBatchJob: its runs as Jobs or a CronJob, and the running pod's log for progress.
- apiGroups: ["modelship.io"]
  resources: ["modelbatchjobs"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["modelship.io"]
  resources: ["modelbatchjobs/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["modelship.io"]
  resources: ["modelbatchjobs/finalizers"]
  verbs: ["update"]
- apiGroups: ["batch"]
  resources: ["jobs", "cronjobs"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
{{- end }}
