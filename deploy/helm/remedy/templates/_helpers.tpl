{{- define "remedy.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "remedy.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "remedy.labels" -}}
{{ include "remedy.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Several replicas behave as one only through a shared Redis (SPEC §8). */}}
{{- define "remedy.checkRedis" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.redis.url) (not .Values.redis.existingSecret) -}}
{{- fail "replicaCount > 1 needs redis.url (or redis.existingSecret): replicas share their state, claims and leases through Redis. Set one, or use replicaCount: 1 with the embedded store." -}}
{{- end -}}
{{- end -}}
