// File: bench/core/ops_bench.cpp
// taskmesh-bench-ops: each built-in op's run() alone, on a 100 B and a
// 64 KiB payload, as a worker calls it (params already parsed). bytes/s is
// payload bytes per second on one thread. The text is English-like words
// with a newline every ten words, so wordcount/linecount/extract/replace
// all find something to do.
#include <benchmark/benchmark.h>

#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "actors/ops/registry.hpp"

namespace {

using namespace taskmesh;

std::string sample_text(std::size_t size) {
  static constexpr std::string_view words[] = {"the", "quick", "brown", "fox", "jumps",
                                               "over", "lazy", "dog", "Lorem", "ipsum"};
  std::string text;
  text.reserve(size + 8);
  for (std::size_t i = 0; text.size() < size; ++i) {
    text += words[i % std::size(words)];
    text += i % 10 == 9 ? '\n' : ' ';
  }
  text.resize(size);
  return text;
}

// name: the op; params: its params as JSON ("{}" for none).
void BM_Op(benchmark::State& state, std::string_view name, const char* params_json) {
  const auto ops = op_registry::builtin();
  const op_definition* op = ops.find(name);
  if (op == nullptr) {
    state.SkipWithError("unknown op");
    return;
  }
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::string text = sample_text(size);
  // json ops (echo) see the payload serialized, as the codec leaves it.
  const std::string payload =
    op->payload == payload_kind::json ? boost::json::serialize(boost::json::string(text)) : text;
  const auto params = boost::json::parse(params_json).as_object();
  const bool expect_ok = name != "fail";

  for (auto _ : state) {
    // Default limits (1 MiB result, 10 s): the bench texts stay well inside them.
    op_budget budget;
    auto outcome = op->run({payload, params, 1, budget});
    if ((outcome.outcome == op_outcome::kind::ok) != expect_ok) {
      state.SkipWithError(outcome.value.c_str());
      break;
    }
    benchmark::DoNotOptimize(outcome);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.SetItemsProcessed(state.iterations());
}

#define TASKMESH_OP_BENCH(op, params) \
  BENCHMARK_CAPTURE(BM_Op, op, #op, params)->Arg(100)->Arg(64 * 1024)

TASKMESH_OP_BENCH(echo, "{}");
TASKMESH_OP_BENCH(wordcount, "{}");
TASKMESH_OP_BENCH(linecount, "{}");
TASKMESH_OP_BENCH(uppercase, "{}");
TASKMESH_OP_BENCH(lowercase, "{}");
TASKMESH_OP_BENCH(replace, R"({"find":"fox","replace":"cat"})");
// max_matches raised so the 64 KiB run scans the whole text.
TASKMESH_OP_BENCH(extract, R"({"pattern":"[a-z]*o[a-z]*","max_matches":100000})");
TASKMESH_OP_BENCH(sha256, "{}");
TASKMESH_OP_BENCH(fail, "{}"); // permanent failure: the cost of the error path

} // namespace

BENCHMARK_MAIN();
