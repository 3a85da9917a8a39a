{{/* Names and labels shared by every template. */}}
{{- define "taskmesh.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "taskmesh.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "taskmesh.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "taskmesh.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "taskmesh.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "taskmesh.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: (dict "ctx" $ "component" "api"). */}}
{{- define "taskmesh.selectorLabels" -}}
app.kubernetes.io/name: {{ include "taskmesh.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "taskmesh.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "taskmesh.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "taskmesh.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "taskmesh.secretName" -}}
{{- default (printf "%s-secrets" (include "taskmesh.fullname" .)) .Values.secret.existingSecret -}}
{{- end -}}

{{/* NATS URL: the nats subchart's client Service when it is installed, else the value. */}}
{{- define "taskmesh.natsUrl" -}}
{{- if .Values.nats.enabled -}}
{{- printf "nats://%s-nats.%s.svc.cluster.local:4222" .Release.Name .Release.Namespace -}}
{{- else -}}
{{- required "natsConnection.url is required when nats.enabled is false" .Values.natsConnection.url -}}
{{- end -}}
{{- end -}}

{{- define "taskmesh.natsMonitoringEndpoint" -}}
{{- if .Values.nats.enabled -}}
{{- printf "%s-nats-headless.%s.svc.cluster.local:8222" .Release.Name .Release.Namespace -}}
{{- else -}}
{{- required "natsConnection.monitoringEndpoint is required when nats.enabled is false" .Values.natsConnection.monitoringEndpoint -}}
{{- end -}}
{{- end -}}

{{/* Valkey URL: the valkey subchart's Service when it is installed, else the value. */}}
{{- define "taskmesh.valkeyUrl" -}}
{{- if .Values.valkey.enabled -}}
{{- printf "redis://%s-valkey.%s.svc.cluster.local:6379" .Release.Name .Release.Namespace -}}
{{- else -}}
{{- required "valkeyConnection.url is required when valkey.enabled is false" .Values.valkeyConnection.url -}}
{{- end -}}
{{- end -}}

{{/* Where the Secret's keys appear as files in the pods. */}}
{{- define "taskmesh.secretDir" -}}/etc/taskmesh/secrets{{- end -}}

{{/* "true" when an autoscaler owns the component's replica count. */}}
{{- define "taskmesh.autoscaled" -}}
{{- $a := (index .ctx.Values .component).autoscaling -}}
{{- if eq .component "api" -}}
{{- if $a.enabled }}true{{ end -}}
{{- else if or $a.keda.enabled $a.hpa.enabled -}}
true
{{- end -}}
{{- end -}}
