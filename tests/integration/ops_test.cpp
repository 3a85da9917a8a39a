// File: tests/integration/ops_test.cpp
// Every op's result through the real server (submit, run on a worker,
// stored, read back), and --disable-ops turning a type into unknown_type.
#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

class Ops : public integration_test {
protected:
  static void SetUpTestSuite() { start_shared({"--workers", "2"}); }

  // Runs the task and expects it to succeed with exactly `result`.
  void expect_result(std::string_view body, std::string_view result) {
    SCOPED_TRACE(std::string(body));
    const auto t = run_task(client(), body);
    EXPECT_EQ(str(t, "status"), "succeeded") << json::serialize(t);
    EXPECT_EQ(t.at("result"), json::parse(result)) << json::serialize(t);
  }
};

TEST_F(Ops, EchoReturnsAnyJsonPayload) {
  expect_result(R"({"type":"echo","payload":"h\u00e9llo"})", R"({"payload":"h\u00e9llo"})");
  expect_result(R"({"type":"echo","payload":{"a":[1,2.5,{"b":null}],"s":"x\"y"}})",
                R"({"payload":{"a":[1,2.5,{"b":null}],"s":"x\"y"}})");
  expect_result(R"({"type":"echo","payload":42})", R"({"payload":42})");
  expect_result(R"({"type":"echo","payload":[]})", R"({"payload":[]})");
}

TEST_F(Ops, TypeDefaultsToEcho) {
  expect_result(R"({"payload":[true,false]})", R"({"payload":[true,false]})");
}

TEST_F(Ops, Wordcount) {
  expect_result(R"({"type":"wordcount","payload":"the quick  brown\tfox\n"})", R"({"words":4})");
  expect_result(R"({"type":"wordcount","payload":""})", R"({"words":0})");
}

TEST_F(Ops, Linecount) {
  expect_result(R"({"type":"linecount","payload":"a\nb\nc"})", R"({"lines":3})");
  expect_result(R"({"type":"linecount","payload":"a\nb\n"})", R"({"lines":2})");
}

TEST_F(Ops, UppercaseAndLowercase) {
  expect_result(R"({"type":"uppercase","payload":"Hello, World 42"})",
                R"({"text":"HELLO, WORLD 42"})");
  expect_result(R"({"type":"lowercase","payload":"Hello, World 42"})",
                R"({"text":"hello, world 42"})");
}

TEST_F(Ops, Replace) {
  expect_result(R"({"type":"replace","payload":"a-b-c","params":{"find":"-","replace":"+"}})",
                R"({"text":"a+b+c","replacements":2})");
  expect_result(R"({"type":"replace","payload":"abc","params":{"find":"x","replace":"y"}})",
                R"({"text":"abc","replacements":0})");
}

TEST_F(Ops, Extract) {
  expect_result(R"({"type":"extract","payload":"a1b22c333","params":{"pattern":"[0-9]+"}})",
                R"({"matches":["1","22","333"],"count":3})");
  expect_result(
    R"({"type":"extract","payload":"1 2 3 4","params":{"pattern":"\\d","max_matches":2}})",
    R"({"matches":["1","2"],"count":2})");
}

TEST_F(Ops, ExtractInvalidPatternIsRejectedAtSubmit) {
  EXPECT_TRUE(
    is_error(client().post_json("/task", R"({"type":"extract","payload":"a","params":{"pattern":"(abc"}})"),
             400, "invalid_field", "params.pattern"));
}

TEST_F(Ops, Sha256) {
  expect_result(R"({"type":"sha256","payload":"abc"})",
                R"({"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"})");
  expect_result(R"({"type":"sha256","payload":""})",
                R"({"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})");
}

TEST_F(Ops, FailIsAvailableByDefault) {
  const auto t = run_task(client(), R"({"type":"fail","payload":"x"})");
  EXPECT_EQ(str(t, "status"), "failed") << json::serialize(t);
}

class DisabledOps : public integration_test {
protected:
  static void SetUpTestSuite() { start_shared({"--disable-ops", "fail,sha256"}); }
};

TEST_F(DisabledOps, DisabledTypesAreUnknown) {
  EXPECT_TRUE(is_error(client().post_json("/task", R"({"type":"fail"})"), 400, "unknown_type",
                       "type"));
  EXPECT_TRUE(is_error(client().post_json("/task", R"({"type":"sha256","payload":"a"})"), 400,
                       "unknown_type", "type"));
  EXPECT_TRUE(is_error(client().post_json("/tasks", R"([{"payload":1},{"type":"fail"}])"), 400,
                       "unknown_type", "[1].type"));
}

TEST_F(DisabledOps, OtherTypesStillRun) {
  const auto t = run_task(client(), R"({"type":"wordcount","payload":"a b"})");
  EXPECT_EQ(str(t, "status"), "succeeded") << json::serialize(t);
  EXPECT_EQ(t.at("result"), json::parse(R"({"words":2})"));
}

} // namespace
} // namespace taskmesh::it
