output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name ...)."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = module.eks.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA certificate of the Kubernetes API."
  value       = module.eks.cluster_certificate_authority_data
}

output "oidc_provider_arn" {
  description = "IRSA OIDC provider, for more IAM roles for service accounts."
  value       = module.eks.oidc_provider_arn
}

output "vpc_id" {
  description = "VPC of the cluster."
  value       = module.vpc.vpc_id
}

output "vpc_cidr" {
  description = "CIDR of the VPC (e.g. for NetworkPolicy ipBlocks to managed services)."
  value       = var.vpc_cidr
}

output "private_subnets" {
  description = "Private subnet ids, one per AZ (for ElastiCache subnet groups)."
  value       = module.vpc.private_subnets
}

output "node_security_group_id" {
  description = "Security group of the nodes (allow it on ElastiCache)."
  value       = module.eks.node_security_group_id
}
