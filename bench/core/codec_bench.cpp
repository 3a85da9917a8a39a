// File: bench/core/codec_bench.cpp
// taskmesh-bench-codec: the JSON work an HTTP thread does per request, alone:
// body bytes -> JSON value (parse_json_body) -> validated task(s)
// (parse_task / parse_task_batch), and a stored record -> GET /task body
// (record_to_json). items/s is tasks (or records) per second on one thread.
#include <benchmark/benchmark.h>

#include <string>
#include <variant>

#include "actors/codec/task_codec.hpp"

namespace {

using namespace taskmesh;

// ~100 bytes: a typical POST /task body.
const std::string kWordcountBody =
  R"({"type":"wordcount","payload":"the quick brown fox jumps over the lazy dog","priority":"high"})";

std::string batch_body(std::size_t n) {
  std::string body = "[";
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0)
      body += ',';
    body += kWordcountBody;
  }
  body += ']';
  return body;
}

template <class T>
const T& value_or_die(const parsed<T>& p) {
  if (const auto* err = std::get_if<api_error>(&p))
    throw std::runtime_error("unexpected codec error: " + err->message);
  return std::get<T>(p);
}

void BM_ParseJsonBody(benchmark::State& state) {
  const codec_limits limits;
  for (auto _ : state) {
    auto v = parse_json_body(kWordcountBody, limits);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kWordcountBody.size()));
}
BENCHMARK(BM_ParseJsonBody);

void BM_ParseTask(benchmark::State& state) {
  const codec_limits limits;
  const auto ops = op_registry::builtin();
  const auto v = value_or_die(parse_json_body(kWordcountBody, limits));
  for (auto _ : state) {
    auto t = parse_task(v, ops, limits);
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseTask);

// What POST /task costs in the codec: bytes to task.
void BM_ParseBodyAndTask(benchmark::State& state) {
  const codec_limits limits;
  const auto ops = op_registry::builtin();
  for (auto _ : state) {
    auto v = parse_json_body(kWordcountBody, limits);
    auto t = parse_task(value_or_die(v), ops, limits);
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kWordcountBody.size()));
}
BENCHMARK(BM_ParseBodyAndTask);

void BM_ParseTaskBatch100(benchmark::State& state) {
  const codec_limits limits;
  const auto ops = op_registry::builtin();
  const auto v = value_or_die(parse_json_body(batch_body(100), limits));
  for (auto _ : state) {
    auto tasks = parse_task_batch(v, ops, limits);
    benchmark::DoNotOptimize(tasks);
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_ParseTaskBatch100);

// What POST /tasks (100 tasks) costs in the codec: bytes to tasks.
void BM_ParseBodyAndBatch100(benchmark::State& state) {
  const codec_limits limits;
  const auto ops = op_registry::builtin();
  const std::string body = batch_body(100);
  for (auto _ : state) {
    auto v = parse_json_body(body, limits);
    auto tasks = parse_task_batch(value_or_die(v), ops, limits);
    benchmark::DoNotOptimize(tasks);
  }
  state.SetItemsProcessed(state.iterations() * 100);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_ParseBodyAndBatch100);

// A finished wordcount task as GET /task/{id} renders it.
void BM_RecordToJson(benchmark::State& state) {
  const auto ops = op_registry::builtin();
  op_index wordcount = 0;
  ops.find("wordcount", &wordcount);
  task_record r;
  r.id = task_id::generate();
  r.op = wordcount;
  r.status = task_status::succeeded;
  r.attempts = 1;
  r.submitted_at = now_us();
  r.started_at = r.submitted_at + 150;
  r.finished_at = r.started_at + 20;
  r.result = R"({"words":9})";
  for (auto _ : state) {
    auto json = record_to_json(r, ops);
    benchmark::DoNotOptimize(json);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordToJson);

} // namespace

BENCHMARK_MAIN();
