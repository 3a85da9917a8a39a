// File: tests/transport/nats/pub_ack_test.cpp
// The PubAck decoder of publish_batch (transport/nats/pub_ack.hpp), on the
// JSON nats-server sends: stored, duplicate, API error (the stream-full text
// that stream_full() reads), and replies that are not a PubAck. The
// no-responders case needs a server: Publisher.SubjectWithoutStreamFailsPromptly.
#include "transport/nats/pub_ack.hpp"

#include <gtest/gtest.h>

namespace taskmesh::nats {
namespace {

TEST(PubAck, StoredCarriesTheSequence) {
  const auto r = parse_pub_ack(R"({"stream":"TASKMESH_TASKS","seq":42})");
  ASSERT_TRUE(r.ok()) << to_string(r.err);
  EXPECT_EQ(r.sequence, 42u);
  EXPECT_FALSE(r.duplicate);
}

TEST(PubAck, DuplicateIsFlaggedWithTheOriginalSequence) {
  const auto r = parse_pub_ack(R"({"stream":"S","domain":"hub","seq":7,"duplicate":true})");
  ASSERT_TRUE(r.ok()) << to_string(r.err);
  EXPECT_EQ(r.sequence, 7u);
  EXPECT_TRUE(r.duplicate);
}

TEST(PubAck, ApiErrorKeepsItsCodeAndDescription) {
  const auto r = parse_pub_ack(
    R"({"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"},"stream":"S","seq":0})");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.err.is(NATS_ERR));
  EXPECT_EQ(r.err.js_code, 10077);
  EXPECT_EQ(r.err.text, "maximum messages exceeded");
  EXPECT_TRUE(stream_full(r.err));
}

TEST(PubAck, WhatIsNotAPubAckIsAnError) {
  for (const char* bad : {"", "not json", "[]", R"({"stream":"S"})", R"({"seq":-1})",
                          R"({"seq":"1"})", R"({"error":"text"})"}) {
    const auto r = parse_pub_ack(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.err.is(NATS_ERR)) << bad;
    EXPECT_EQ(r.err.js_code, 0) << bad;
  }
}

} // namespace
} // namespace taskmesh::nats
