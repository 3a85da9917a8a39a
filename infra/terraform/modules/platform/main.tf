# The platform on an existing cluster, as Helm releases: ingress-nginx, KEDA (worker
# autoscaling), kube-prometheus-stack (Prometheus, Alertmanager, Grafana with
# its dashboard sidecar, kube-state-metrics), optionally Chaos Mesh, a 3-node
# NATS JetStream cluster, Valkey, and taskmesh itself. Chart versions are
# pinned; taskmesh's ServiceMonitors, rules and dashboard are picked up by
# the kube-prometheus-stack release label.

resource "helm_release" "keda" {
  name             = "keda"
  repository       = "https://kedacore.github.io/charts"
  chart            = "keda"
  version          = "2.16.1"
  namespace        = "keda"
  create_namespace = true
}

# The api's Ingress (values-prod.yaml: className nginx) behind an AWS NLB.
resource "helm_release" "ingress_nginx" {
  count            = var.ingress_nginx_enabled ? 1 : 0
  name             = "ingress-nginx"
  repository       = "https://kubernetes.github.io/ingress-nginx"
  chart            = "ingress-nginx"
  version          = "4.12.0"
  namespace        = "ingress-nginx"
  create_namespace = true

  values = [yamlencode({
    controller = {
      service = { annotations = { "service.beta.kubernetes.io/aws-load-balancer-type" = "nlb" } }
    }
  })]
}

resource "helm_release" "kube_prometheus_stack" {
  name             = "kube-prometheus-stack"
  repository       = "https://prometheus-community.github.io/helm-charts"
  chart            = "kube-prometheus-stack"
  version          = "67.9.0"
  namespace        = "monitoring"
  create_namespace = true

  values = [yamlencode({
    grafana = {
      adminPassword = var.grafana_admin_password
      sidecar       = { dashboards = { enabled = true, label = "grafana_dashboard", searchNamespace = "ALL" } }
    }
  })]
}

resource "helm_release" "chaos_mesh" {
  count            = var.chaos_mesh_enabled ? 1 : 0
  name             = "chaos-mesh"
  repository       = "https://charts.chaos-mesh.org"
  chart            = "chaos-mesh"
  version          = "2.7.2"
  namespace        = "chaos-mesh"
  create_namespace = true

  values = [yamlencode({
    chaosDaemon = { runtime = "containerd", socketPath = "/run/containerd/containerd.sock" }
  })]
}

resource "helm_release" "nats" {
  name             = "nats"
  repository       = "https://nats-io.github.io/k8s/helm/charts/"
  chart            = "nats"
  version          = "1.3.3"
  namespace        = "nats"
  create_namespace = true

  values = [yamlencode({
    config = {
      cluster   = { enabled = true, replicas = var.nats_replicas }
      jetstream = { enabled = true, fileStore = { pvc = { size = var.nats_storage_size } } }
      monitor   = { enabled = true }
      # taskmesh logs in as this user (natsConnection.auth userPassword).
      merge = { authorization = { users = [{ user = "taskmesh", password = var.nats_password }] } }
    }
    podTemplate = {
      topologySpreadConstraints = {
        "topology.kubernetes.io/zone" = { maxSkew = 1, whenUnsatisfiable = "DoNotSchedule" }
      }
    }
  })]
}

resource "helm_release" "valkey" {
  name             = "valkey"
  repository       = "https://valkey.io/valkey-helm/"
  chart            = "valkey"
  version          = "1.0.0"
  namespace        = var.taskmesh_namespace
  create_namespace = true

  values = [yamlencode({
    resources = { limits = { memory = var.valkey_memory } }
  })]
}

resource "helm_release" "taskmesh" {
  name      = "taskmesh"
  chart     = var.taskmesh_chart
  namespace = var.taskmesh_namespace

  values = concat([for f in var.taskmesh_values_files : file(f)], [yamlencode({
    image            = { repository = var.taskmesh_image_repository, tag = var.taskmesh_image_tag }
    valkeyConnection = { url = "redis://valkey.${var.taskmesh_namespace}.svc.cluster.local:6379" }
    # NATS and Valkey are the releases above, not the chart's subcharts.
    nats   = { enabled = false }
    valkey = { enabled = false }
    natsConnection = {
      url                = "nats://nats.nats.svc.cluster.local:4222"
      monitoringEndpoint = "nats-headless.nats.svc.cluster.local:8222"
      auth               = "userPassword"
      user               = "taskmesh"
    }
    # The chart renders the Secret from these instead of an existing one.
    secret = { existingSecret = "" }
  })])

  set_sensitive {
    name  = "secret.natsPassword"
    value = var.nats_password
  }

  # The ScaledObject, ServiceMonitors and PrometheusRule need their CRDs.
  depends_on = [helm_release.keda, helm_release.kube_prometheus_stack, helm_release.nats, helm_release.valkey]
}
