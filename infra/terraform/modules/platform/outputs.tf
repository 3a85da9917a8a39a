output "taskmesh_namespace" {
  description = "Namespace of the taskmesh release."
  value       = helm_release.taskmesh.namespace
}

output "taskmesh_api_service" {
  description = "Service of the api (kubectl port-forward svc/... 8080:80)."
  value       = "taskmesh-api"
}

output "grafana_service" {
  description = "Grafana (kubectl -n monitoring port-forward svc/... 3000:80)."
  value       = "kube-prometheus-stack-grafana"
}
