# One environment: the cluster (VPC + EKS) and the platform on it (KEDA,
# kube-prometheus-stack, Chaos Mesh, NATS, Valkey, taskmesh). The env roots
# (envs/dev, envs/prod) only choose the values and hold state and providers.

module "cluster" {
  source = "../cluster"

  name                = var.name
  single_nat_gateway  = var.single_nat_gateway
  node_instance_types = var.node_instance_types
  node_min_size       = var.node_min_size
  node_desired_size   = var.node_min_size
  node_max_size       = var.node_max_size
  tags                = var.tags
}

module "platform" {
  source = "../platform"

  taskmesh_chart            = "${path.module}/../../../helm/taskmesh"
  taskmesh_values_files     = ["${path.module}/../../../helm/taskmesh/${var.taskmesh_values_file}"]
  taskmesh_image_repository = var.image_repository
  taskmesh_image_tag        = var.image_tag
  chaos_mesh_enabled        = var.chaos_mesh_enabled
  grafana_admin_password    = var.grafana_admin_password
  nats_password             = var.nats_password

  # Helm can only talk to the cluster once its nodes exist.
  depends_on = [module.cluster]
}
