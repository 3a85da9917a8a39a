// File: chaos/verify/cli.cpp
#include "chaos/verify/cli.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "bench/loadgen/flag_values.hpp"

namespace taskmesh::verify {

namespace {

constexpr const char* footer = R"(Phases: steady -> fault -> recover (an orchestrator injects the fault when
the progress line says phase=fault and heals it at phase=recover), then every
accepted task is polled until terminal. Output: progress lines on stderr, the
JSON report and a one-line verdict on stdout.
Exit status: 0 PASS; 1 FAIL (lost > 0, executed twice > 0, wrong results > 0,
a 4xx, or a threshold broken); 2 bad flags; 3 no api answered at the start.
Example:
  taskmesh-verify --url http://taskmesh-api --rate 200 --steady 30s --fault 60s \
    --recover 60s --valkey redis://valkey:6379 --max-recovery-s 90)";

std::chrono::milliseconds duration_flag(const std::string& flag, const std::string& value) {
  const auto d = loadgen::parse_duration(value);
  if (!d) throw CLI::ValidationError(flag, "not a duration: '" + value + "' (use 500ms, 30s, 2m)");
  return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

std::string read_token_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw CLI::ValidationError("--auth-token-file", "cannot read " + path);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) throw CLI::ValidationError("--auth-token-file", path + " has no token on its first line");
  return token;
}

// The api's own --auth-tokens-file ("name:token" lines): the token of
// `tenant`, or of the first entry when no tenant is named.
std::string read_tokens_file(const std::string& path, const std::string& tenant) {
  std::ifstream in(path);
  if (!in) throw CLI::ValidationError("--auth-tokens-file", "cannot read " + path);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    const auto colon = line.find(':');
    if (line.empty() || line.front() == '#' || colon == std::string::npos) continue;
    if (tenant.empty() || line.compare(0, colon, tenant) == 0) return line.substr(colon + 1);
  }
  throw CLI::ValidationError("--auth-tokens-file", path + " has no name:token line" +
                                                     (tenant.empty() ? "" : " for tenant " + tenant));
}

} // namespace

std::variant<cli_options, cli_exit> parse_cli(int argc, const char* const* argv) {
  cli_options out;
  auto& c = out.config;
  CLI::App app{"taskmesh-verify: steady load through a fault, then the verdict: nothing lost, "
               "nothing executed twice, every result right"};
  app.footer(footer);
  std::vector<std::string> urls{"http://127.0.0.1:8080"};
  std::string steady = "10s", fault = "30s", recover = "20s", timeout = "5s", retry_for = "120s",
              settle = "180s", progress = "5s", token_file, tokens_file, tenant;
  std::optional<double> p99, recovery;
  std::optional<std::uint64_t> max_failed, max_refused;
  bool shared = false;
  app.add_option("--url", urls, "api base URL; repeat for several api pods")->capture_default_str();
  app.add_option("--rate", c.rate, "tasks per second, open loop")->capture_default_str()->check(CLI::Range(0.1, 100000.0));
  app.add_option("-c,--connections", c.connections, "keep-alive connections")->capture_default_str()->check(CLI::Range(1, 4096));
  app.add_option("--steady", steady, "load before the fault")->capture_default_str();
  app.add_option("--fault", fault, "the fault window")->capture_default_str();
  app.add_option("--recover", recover, "load after the fault window")->capture_default_str();
  app.add_option("--timeout", timeout, "one HTTP exchange")->capture_default_str();
  app.add_option("--retry-for", retry_for, "retry a key this long after its slot")->capture_default_str();
  app.add_option("--settle-timeout", settle, "after the load, until every task is terminal")->capture_default_str();
  app.add_option("--progress", progress, "progress line interval")->capture_default_str();
  app.add_option("--valkey", c.valkey_url, "redis:// URL: read the per-task execution counters");
  app.add_option("--prefix", c.key_prefix, "taskmesh --subject-prefix (Valkey key prefix)")->capture_default_str();
  app.add_flag("--shared", shared, "other clients use the cluster: do not match /stats deltas exactly");
  app.add_option("--run-id", c.run_id, "idempotency keys are <run-id>-<n> (default: random)");
  app.add_option("--auth-token", c.auth_token, "bearer token")->envname("TASKMESH_VERIFY_TOKEN");
  app.add_option("--auth-token-file", token_file, "file whose first line is the bearer token");
  app.add_option("--auth-tokens-file", tokens_file,
                 "the api's --auth-tokens-file (name:token lines): use --tenant's token");
  app.add_option("--tenant", tenant, "with --auth-tokens-file: whose token (default: the first)");
  app.add_option("--json", out.json_path, "write the JSON report here instead of stdout");
  app.add_option("--max-p99-during-ms", p99, "fail if the submit p99 during the fault is higher");
  app.add_option("--max-recovery-s", recovery, "fail if throughput takes longer to get back to 90%");
  app.add_option("--max-failed", max_failed, "fail if more tasks end failed or dead");
  app.add_option("--max-refused", max_refused, "fail if more keys stay unaccepted after --retry-for");
  try {
    app.parse(argc, argv);
    c.apis.clear();
    for (const auto& u : urls) {
      const auto parsed = loadgen::parse_url(u);
      if (!parsed || (!parsed->path.empty() && parsed->path != "/"))
        throw CLI::ValidationError("--url", "not http://host[:port]: " + u);
      c.apis.push_back({parsed->host, parsed->port});
    }
    c.steady = duration_flag("--steady", steady);
    c.fault = duration_flag("--fault", fault);
    c.recover = duration_flag("--recover", recover);
    c.request_timeout = duration_flag("--timeout", timeout);
    c.retry_for = duration_flag("--retry-for", retry_for);
    c.settle_timeout = duration_flag("--settle-timeout", settle);
    c.progress_every = std::max(duration_flag("--progress", progress), std::chrono::milliseconds(100));
    if (!token_file.empty()) c.auth_token = read_token_file(token_file);
    if (!tokens_file.empty()) c.auth_token = read_tokens_file(tokens_file, tenant);
    c.exclusive = !shared;
    c.limits = {p99, recovery, max_failed, max_refused};
  } catch (const CLI::CallForHelp&) {
    return cli_exit{0, app.help()};
  } catch (const CLI::ParseError& e) {
    return cli_exit{2, std::string("taskmesh-verify: ") + e.what() + "\n"};
  }
  return out;
}

} // namespace taskmesh::verify
