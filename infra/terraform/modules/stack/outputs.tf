output "cluster_name" {
  description = "aws eks update-kubeconfig --name <this>"
  value       = module.cluster.cluster_name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = module.cluster.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA certificate of the Kubernetes API (for the helm provider)."
  value       = module.cluster.cluster_certificate_authority_data
}

output "taskmesh_namespace" {
  description = "Namespace of taskmesh."
  value       = module.platform.taskmesh_namespace
}

output "taskmesh_api_service" {
  description = "Service of the taskmesh api."
  value       = module.platform.taskmesh_api_service
}

output "grafana_service" {
  description = "Grafana Service in namespace monitoring."
  value       = module.platform.grafana_service
}
