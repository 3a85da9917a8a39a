# taskmesh prod: modules/stack with this environment's sizes. Only the
# values below, the state key (versions.tf) and the providers live here.
#   terraform -chdir=infra/terraform/envs/prod init
#   terraform -chdir=infra/terraform/envs/prod apply

provider "aws" {
  region = var.region
  default_tags {
    tags = { project = "taskmesh", environment = "prod" }
  }
}

# Helm reaches the new cluster with a token from the AWS CLI.
provider "helm" {
  kubernetes {
    host                   = module.stack.cluster_endpoint
    cluster_ca_certificate = base64decode(module.stack.cluster_certificate_authority_data)
    exec {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", module.stack.cluster_name, "--region", var.region]
    }
  }
}

module "stack" {
  source = "../../modules/stack"

  name                   = "taskmesh-prod"
  single_nat_gateway     = false
  node_instance_types    = ["c6i.2xlarge"]
  node_min_size          = 3
  node_max_size          = 30
  chaos_mesh_enabled     = false
  taskmesh_values_file   = "values-prod.yaml"
  image_repository       = var.image_repository
  image_tag              = var.image_tag
  grafana_admin_password = var.grafana_admin_password
  nats_password          = var.nats_password
}

output "stack" {
  description = "cluster_name (aws eks update-kubeconfig --name ...), cluster_endpoint, taskmesh_namespace, taskmesh_api_service, grafana_service."
  value       = module.stack
}
