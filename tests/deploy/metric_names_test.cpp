// File: tests/deploy/metric_names_test.cpp
// What the chart's observability uses really exists: every taskmesh_* name in
// the PrometheusRule and the Grafana dashboard is a series a running taskmesh
// exports on /metrics, embedded and in a cluster (real nats-server and
// redis-server, one --role api and two --role worker, with the chart's
// stream and subject prefix); every other metric they use comes from a named
// exporter (kube-state-metrics, cAdvisor, KEDA) in the list below; and the
// JetStream consumers the KEDA triggers read exist once the cluster runs.
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/taskmesh_cluster.hpp"
#include "tests/support/taskmesh_process.hpp"
#include "transport/nats/connection.hpp"
#include "transport/nats/stream_setup.hpp"

namespace taskmesh {
namespace {

using namespace std::chrono_literals;

const std::string chart = std::string{TASKMESH_SOURCE_DIR} + "/infra/helm/taskmesh";

// What only a cluster pod exports: the series of its NATS and Valkey clients.
bool cluster_only(const std::string& name) {
  return name.rfind("taskmesh_nats_", 0) == 0 || name.rfind("taskmesh_valkey_", 0) == 0;
}

// Metrics the rules and dashboard use that taskmesh does not export, and who does.
const std::map<std::string, std::string> external = {
  {"kube_deployment_status_replicas_available", "kube-state-metrics"},
  {"container_cpu_usage_seconds_total", "cAdvisor (kubelet)"},
  {"container_memory_working_set_bytes", "cAdvisor (kubelet)"},
  {"keda_scaler_metrics_value", "KEDA operator"},
};

std::string read(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Metric names in PromQL held in `text`: every taskmesh_* word, and every
// other word directly followed by a label matcher '{' (how the chart's
// queries always select a metric). Grafana's "{{label}}" legends and Helm's
// "{{" are not preceded by a word character, so they do not count.
std::set<std::string> used_metrics(const std::string& text) {
  std::set<std::string> names;
  static const std::regex own(R"(\btaskmesh_[a-z0-9_]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), own); it != std::sregex_iterator(); ++it)
    names.insert(it->str());
  static const std::regex selector(R"(\b([a-zA-Z_:][a-zA-Z0-9_:]*)\{)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), selector);
       it != std::sregex_iterator(); ++it)
    names.insert((*it)[1].str());
  return names;
}

// Series names in a Prometheus text exposition ("name{...} value" or "name value").
std::set<std::string> exported(const std::string& exposition) {
  std::set<std::string> names;
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#')
      continue;
    names.insert(line.substr(0, line.find_first_of("{ ")));
  }
  return names;
}

std::set<std::string> scrape(test_support::taskmesh_process& p) {
  const auto r = p.client().get("/metrics");
  EXPECT_EQ(r.status, 200u) << p.name();
  return exported(r.body);
}

class MetricNames : public ::testing::Test {
protected:
  void SetUp() override {
    for (const char* file : {"/templates/prometheusrule.yaml", "/files/dashboard.json"})
      for (const auto& name : used_metrics(read(chart + file)))
        used_[name] = file;
    // A broken extraction must not pass for "nothing to check".
    ASSERT_GE(used_.size(), 10u);
    ASSERT_TRUE(used_.count("taskmesh_tasks_finished_total"));
  }

  // Every used name: exported by taskmesh (`have`; embedded: but the
  // cluster-only ones), or a known external one.
  void expect_all_exported(const std::set<std::string>& have, const std::string& where,
                           bool cluster) {
    for (const auto& [name, file] : used_) {
      if (!cluster && cluster_only(name))
        EXPECT_FALSE(have.count(name)) << name << " is exported by " << where;
      else if (name.rfind("taskmesh_", 0) == 0)
        EXPECT_TRUE(have.count(name)) << name << " (used in " << file << ") is not exported by "
                                      << where;
      else
        EXPECT_TRUE(external.count(name))
          << name << " (used in " << file << ") is neither a taskmesh metric nor a known "
          << "exporter's; add it to `external` with its source if it is real";
    }
  }

  std::map<std::string, std::string> used_; // name -> file
};

TEST_F(MetricNames, EmbeddedExportsEveryNameTheChartUses) {
  test_support::taskmesh_process p(TASKMESH_BINARY, {"--workers", "1"});
  expect_all_exported(scrape(p), "embedded taskmesh", false);
}

TEST_F(MetricNames, ClusterExportsEveryNameAndHasTheConsumersKedaReads) {
  // The chart's defaults: stream TASKS, subject prefix taskmesh.
  test_support::cluster_options o;
  o.flags = {"--subject-prefix", "taskmesh", "--stream-name", "TASKS"};
  test_support::taskmesh_cluster k(TASKMESH_BINARY, o);
  std::set<std::string> have;
  for (auto* p : k.processes())
    for (auto& name : scrape(*p))
      have.insert(name);
  expect_all_exported(have, "the cluster's api and workers", true);

  // scaledobject.yaml: stream <config.streamName>, consumers <subjectPrefix>_high/_normal.
  const auto so = read(chart + "/templates/scaledobject.yaml");
  ASSERT_NE(so.find(R"(printf "%s_%s" $.Values.config.subjectPrefix $lane)"), std::string::npos)
    << "scaledobject.yaml names its consumers differently; update this test";
  nats::connection_options c;
  c.servers = k.nats_url();
  c.connect_timeout = 2s;
  auto conn = nats::connection::open(c);
  ASSERT_TRUE(conn) << nats::to_string(conn.err());
  for (const char* durable : {"taskmesh_high", "taskmesh_normal"}) {
    auto info = nats::consumer_info(**conn, "TASKS", durable);
    EXPECT_TRUE(info) << "no consumer TASKS/" << durable << " for KEDA to read: "
                      << (info ? "" : nats::to_string(info.err()));
  }
}

} // namespace
} // namespace taskmesh
