// File: tests/integration/batch_test.cpp
// POST /tasks: ids in order, the 1..1000 bounds, and all-or-nothing
// rejection that names the bad element's index.
#include <set>

#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

class Batch : public integration_test {
protected:
  static void SetUpTestSuite() { start_shared({"--workers", "2"}); }
};

TEST_F(Batch, ValidBatchGetsIdsInOrder) {
  const auto r = client().post_json("/tasks", R"([
    {"type":"echo","payload":{"n":0}},
    {"type":"wordcount","payload":"a b c"},
    {"type":"uppercase","payload":"abc","priority":"high"},
    {"type":"sha256","payload":"abc"},
    {"type":"linecount","payload":"a\nb"}])");
  ASSERT_EQ(r.status, 202u) << r.describe();
  const auto body = r.json();
  const auto& ids = body.at("ids").as_array();
  ASSERT_EQ(ids.size(), 5u) << r.body;
  std::set<std::string> distinct;
  for (const auto& id : ids)
    distinct.insert(std::string(id.as_string()));
  EXPECT_EQ(distinct.size(), 5u) << r.body;

  const char* expected_types[] = {"echo", "wordcount", "uppercase", "sha256", "linecount"};
  const char* expected_results[] = {
    R"({"payload":{"n":0}})", R"({"words":3})", R"({"text":"ABC"})",
    R"({"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"})",
    R"({"lines":2})"};
  for (std::size_t i = 0; i < 5; ++i) {
    const auto t = wait_terminal(client(), ids[i].as_string());
    SCOPED_TRACE(json::serialize(t));
    EXPECT_EQ(str(t, "type"), expected_types[i]);
    EXPECT_EQ(str(t, "status"), "succeeded");
    EXPECT_EQ(t.at("result"), json::parse(expected_results[i]));
  }
}

TEST_F(Batch, EmptyArrayIs400) {
  EXPECT_TRUE(is_error(client().post_json("/tasks", "[]"), 400, "invalid_field"));
}

TEST_F(Batch, ThousandTasksAreAccepted) {
  const auto ids = submit_batch(client(), repeat_batch(R"({"payload":1})", 1000));
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1000u);
}

TEST_F(Batch, ThousandAndOneTasksIs400AndCreatesNothing) {
  const auto before = num(fresh_stats(client()), "submitted");
  EXPECT_TRUE(is_error(client().post_json("/tasks", repeat_batch(R"({"payload":1})", 1001)), 400,
                       "invalid_field"));
  EXPECT_EQ(num(fresh_stats(client()), "submitted"), before);
}

TEST_F(Batch, BadElementFailsTheWholeBatchNamingItsIndex) {
  const auto before = num(fresh_stats(client()), "submitted");
  EXPECT_TRUE(is_error(
    client().post_json("/tasks", R"([{"payload":1},{"payload":2},{"payload":3},{"type":"nope"}])"),
    400, "unknown_type", "[3].type"));
  EXPECT_TRUE(is_error(client().post_json("/tasks", R"([{"payload":1},{"priority":"x"}])"), 400,
                       "invalid_field", "[1].priority"));
  EXPECT_TRUE(is_error(client().post_json(
                         "/tasks", R"([{"type":"replace","payload":"a","params":{"find":1}}])"),
                       400, "invalid_field", "[0].params.find"));
  EXPECT_TRUE(is_error(client().post_json("/tasks", R"([{"payload":1},{"tipe":"echo"}])"), 400,
                       "invalid_field", "[1].tipe"));
  EXPECT_TRUE(is_error(client().post_json("/tasks", R"([{"payload":1},7])"), 400,
                       "invalid_field", "[1]"));
  EXPECT_EQ(num(fresh_stats(client()), "submitted"), before) << "a rejected batch created tasks";
}

TEST_F(Batch, BodyThatIsNotAnArrayIs400) {
  for (const char* body : {R"({"payload":1})", "42", R"("x")"}) {
    SCOPED_TRACE(body);
    const auto r = client().post_json("/tasks", body);
    EXPECT_EQ(r.status, 400u) << r.describe();
  }
}

TEST_F(Batch, WrongContentTypeIs415) {
  EXPECT_TRUE(is_error(
    client().request("POST", "/tasks", R"([{"payload":1}])", {{"Content-Type", "text/plain"}}),
    415, "unsupported_media_type"));
}

} // namespace
} // namespace taskmesh::it
