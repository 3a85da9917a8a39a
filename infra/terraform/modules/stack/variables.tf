variable "name" {
  description = "Name of the cluster and prefix of its resources (taskmesh-dev, taskmesh-prod)."
  type        = string
}

variable "single_nat_gateway" {
  description = "One NAT gateway instead of one per AZ."
  type        = bool
}

variable "node_instance_types" {
  description = "Instance types of the managed node group."
  type        = list(string)
}

variable "node_min_size" {
  description = "Smallest node count (also the count at creation)."
  type        = number
}

variable "node_max_size" {
  description = "Largest node count."
  type        = number
}

variable "chaos_mesh_enabled" {
  description = "Install Chaos Mesh."
  type        = bool
}

variable "taskmesh_values_file" {
  description = "The chart's values file for this environment (values-dev.yaml, values-prod.yaml)."
  type        = string
}

variable "image_repository" {
  description = "ECR repository holding the taskmesh image."
  type        = string
}

variable "image_tag" {
  description = "taskmesh image tag to deploy."
  type        = string
}

variable "grafana_admin_password" {
  description = "Grafana admin password."
  type        = string
  sensitive   = true
}

variable "nats_password" {
  description = "Password of the NATS user taskmesh."
  type        = string
  sensitive   = true
}

variable "tags" {
  description = "Tags for every AWS resource."
  type        = map(string)
  default     = {}
}
