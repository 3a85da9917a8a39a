variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-west-1"
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
