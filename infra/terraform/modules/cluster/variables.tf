variable "name" {
  description = "Name of the cluster; also prefixes the VPC and IAM roles."
  type        = string
}

variable "kubernetes_version" {
  description = "EKS control plane version."
  type        = string
  default     = "1.32"
}

variable "vpc_cidr" {
  description = "CIDR of the VPC; split into 3 private and 3 public subnets, one per AZ."
  type        = string
  default     = "10.0.0.0/16"
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all AZs (cheaper, dev) instead of one per AZ (prod)."
  type        = bool
  default     = false
}

variable "node_instance_types" {
  description = "Instance types of the managed node group (compute-optimised: taskmesh is CPU-bound)."
  type        = list(string)
  default     = ["c6i.xlarge"]
}

variable "node_min_size" {
  description = "Smallest node count of the managed node group."
  type        = number
  default     = 3
}

variable "node_max_size" {
  description = "Largest node count (the cluster autoscaler or Karpenter scales within it)."
  type        = number
  default     = 12
}

variable "node_desired_size" {
  description = "Node count at creation."
  type        = number
  default     = 3
}

variable "endpoint_public_access_cidrs" {
  description = "Addresses that may reach the public Kubernetes API endpoint."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
