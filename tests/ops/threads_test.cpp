// File: tests/ops/threads_test.cpp
// Workers run ops on many threads at once; the ops keep per-thread state
// (scratch buffer, compiled-pattern cache), which must never leak between
// threads or between runs.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "op_test_support.hpp"

namespace taskmesh::test {
namespace {

// What thread `t` submits and what it must get back: each thread has its
// own word and text length, so a result from another thread would show.
struct thread_case {
  explicit thread_case(std::size_t t) : n(100 * (t + 1)) {
    word = 'w';
    word += std::to_string(t);
    text = word;
    text += ' ';
    text.append(n, 'a');
    extract_params["pattern"] = word;
    replace_params["find"] = "a";
    replace_params["replace"] = word;

    extracted = R"({"matches":[")";
    extracted += word;
    extracted += R"("],"count":1})";
    upper = R"({"text":"W)";
    upper += word.substr(1);
    upper += ' ';
    upper.append(n, 'A');
    upper += R"("})";
    replaced = R"({"text":")";
    replaced += word;
    replaced += ' ';
    for (std::size_t i = 0; i < n; ++i)
      replaced += word;
    replaced += R"(","replacements":)";
    replaced += std::to_string(n);
    replaced += '}';
  }

  std::size_t n;
  std::string word, text, extracted, upper, replaced;
  boost::json::object extract_params, replace_params, none;
};

TEST(OpThreads, ConcurrentRunsGetTheirOwnResults) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([t, &wrong] {
      const thread_case c(t);
      op_budget budget;
      for (int i = 0; i < 300; ++i) {
        wrong += extract_op().run({c.text, c.extract_params, 1, budget}).value != c.extracted;
        wrong += uppercase_op().run({c.text, c.none, 1, budget}).value != c.upper;
        wrong += replace_op().run({c.text, c.replace_params, 1, budget}).value != c.replaced;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(wrong.load(), 0);
}

} // namespace
} // namespace taskmesh::test
