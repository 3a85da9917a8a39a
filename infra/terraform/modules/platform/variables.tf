variable "taskmesh_chart" {
  description = "Path of the taskmesh chart (infra/helm/taskmesh), dependencies built."
  type        = string
}

variable "taskmesh_values_files" {
  description = "Values files for the taskmesh release, later ones win (e.g. values-prod.yaml)."
  type        = list(string)
  default     = []
}

variable "taskmesh_image_repository" {
  description = "Image repository (ECR) of taskmesh."
  type        = string
}

variable "taskmesh_image_tag" {
  description = "Image tag to run; never latest."
  type        = string
}

variable "taskmesh_namespace" {
  description = "Namespace of the taskmesh release."
  type        = string
  default     = "taskmesh"
}

variable "nats_replicas" {
  description = "NATS servers (JetStream cluster); 3 survives one node or zone."
  type        = number
  default     = 3
}

variable "nats_storage_size" {
  description = "JetStream file store per NATS server (EBS gp3 volume)."
  type        = string
  default     = "20Gi"
}

variable "valkey_memory" {
  description = "Memory limit of the in-cluster Valkey (see docs/deploy.md for records per GiB)."
  type        = string
  default     = "2Gi"
}

variable "chaos_mesh_enabled" {
  description = "Install Chaos Mesh (chaos/ experiments); off in production."
  type        = bool
  default     = false
}

variable "grafana_admin_password" {
  description = "Grafana admin password for kube-prometheus-stack."
  type        = string
  sensitive   = true
}

variable "nats_password" {
  description = "Password of the NATS user \"taskmesh\" (the chart puts it in its Secret)."
  type        = string
  sensitive   = true
}

variable "ingress_nginx_enabled" {
  description = "Install ingress-nginx (the taskmesh Ingress uses class nginx)."
  type        = bool
  default     = true
}
