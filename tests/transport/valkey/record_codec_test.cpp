// File: tests/transport/valkey/record_codec_test.cpp
// The record codec: the stored value (its exact bytes, round trips with
// separators and binary bytes, defaults as empty fields, every decoding
// error) and the name/value fields of the live events (names and order,
// values, round trips, every decoding error).
#include <algorithm>

#include <gtest/gtest.h>

#include "transport/valkey/record_codec.hpp"

namespace taskmesh::valkey {
namespace {

using namespace std::string_literals;

task_record sample() {
  task_record r;
  r.id = *task_id::parse("0190f5a2-7c3e-7abc-8def-0123456789ab");
  r.prio = priority::high;
  r.status = task_status::queued;
  r.attempts = 2;
  r.max_attempts = 5;
  r.submitted_at = 1'763'780'000'123'456;
  r.started_at = 1'763'780'000'223'456;
  r.finished_at = 0;
  r.next_attempt_at = 1'763'780'001'000'000;
  r.result = "";
  r.error = "transient: upstream busy";
  r.idempotency_key = "acme:order-17";
  r.tenant = "acme";
  r.delay_ms = 2500;
  r.attempt_started_at = 1'763'780'000'923'456;
  return r;
}

using pairs = std::vector<std::pair<std::string_view, std::string_view>>;

pairs views(const std::vector<std::pair<std::string, std::string>>& owned) {
  pairs out;
  for (const auto& [k, v] : owned)
    out.emplace_back(k, v);
  return out;
}

TEST(RecordCodec, FieldsInOrderWithTextValues) {
  const auto fields = encode_record(sample(), "wordcount");
  ASSERT_EQ(fields.size(), record_fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i)
    EXPECT_EQ(fields[i].first, record_fields[i]);
  EXPECT_EQ(fields[0].second, "0190f5a2-7c3e-7abc-8def-0123456789ab");
  EXPECT_EQ(fields[1].second, "wordcount"); // the op NAME, not its index
  EXPECT_EQ(fields[2].second, "queued");
  EXPECT_EQ(fields[3].second, "high");
  EXPECT_EQ(fields[4].second, "2");
  EXPECT_EQ(fields[5].second, "5");
  EXPECT_EQ(fields[6].second, "1763780000123456");
  EXPECT_EQ(fields[8].second, "0"); // null timestamp
  EXPECT_EQ(fields[9].second, "1763780001000000");
  EXPECT_EQ(fields[10].second, "");
  EXPECT_EQ(fields[11].second, "transient: upstream busy");
  EXPECT_EQ(fields[12].second, "acme:order-17");
  EXPECT_EQ(fields[13].second, "acme");
  EXPECT_EQ(fields[14].second, "2500");
  EXPECT_EQ(fields[15].second, "1763780000923456");
}

// Every field of `d` as in `r` (the op index is not stored: names travel).
void expect_same(const task_record& d, const task_record& r) {
  EXPECT_EQ(d.op, 0);
  EXPECT_EQ(d.id, r.id);
  EXPECT_EQ(d.status, r.status);
  EXPECT_EQ(d.prio, r.prio);
  EXPECT_EQ(d.attempts, r.attempts);
  EXPECT_EQ(d.max_attempts, r.max_attempts);
  EXPECT_EQ(d.submitted_at, r.submitted_at);
  EXPECT_EQ(d.started_at, r.started_at);
  EXPECT_EQ(d.finished_at, r.finished_at);
  EXPECT_EQ(d.next_attempt_at, r.next_attempt_at);
  EXPECT_EQ(d.result, r.result);
  EXPECT_EQ(d.error, r.error);
  EXPECT_EQ(d.idempotency_key, r.idempotency_key);
  EXPECT_EQ(d.tenant, r.tenant);
  EXPECT_EQ(d.delay_ms, r.delay_ms);
  EXPECT_EQ(d.attempt_started_at, r.attempt_started_at);
}

TEST(RecordCodec, RoundTrip) {
  for (auto status : {task_status::queued, task_status::running, task_status::succeeded,
                      task_status::failed, task_status::dead}) {
    task_record r = sample();
    r.status = status;
    r.prio = status == task_status::dead ? priority::high : priority::normal;
    if (status == task_status::succeeded)
      r.result = std::string(200'000, 'r') + std::string("\0\r\n", 3); // large and binary
    const auto owned = encode_record(r, "sha256");
    auto back = decode_record(views(owned));
    ASSERT_TRUE(back) << back.err().message;
    EXPECT_EQ(back->type, "sha256");
    expect_same(back->record, r);
  }
}

// The stored value's exact bytes: the header the scripts match
// (transport/valkey/scripts.cpp) and the body only the codec reads.
TEST(RecordCodec, ValueIsTheHeaderThenTheBody) {
  EXPECT_EQ(encode_value(sample(), "wordcount", 4, 1),
            "queued|2|1763780001000000|1763780000223456|0|1763780000123456|4|1|"
            "9:wordcount13:acme:order-174:high1:50:24:transient: upstream busy4:acme4:2500"
            "16:1763780000923456");
  // Defaults are empty body fields: a plain task stores no priority, limits,
  // delay or attempt start.
  task_record plain;
  plain.id = sample().id;
  plain.submitted_at = 17;
  EXPECT_EQ(encode_value(plain, "echo"), "queued|0|0|0|0|17|0|0|4:echo0:0:0:0:0:0:0:0:");
}

// What update's common case compares the stored value with: the header
// admit writes for a task, whatever state the task is in when it is sent.
TEST(RecordCodec, TheAdmittedHeaderStartsWhatAdmitWrites) {
  task_record queued = sample();
  queued.attempts = 0; // as intake stamps a new task
  queued.next_attempt_at = queued.started_at = queued.attempt_started_at = 0;
  task_record done = sample();
  done.status = task_status::succeeded;
  done.finished_at = done.started_at + 5;
  std::string header;
  append_admitted_header(header, done);
  EXPECT_EQ(header, "queued|0|0|0|0|1763780000123456|0|0|");
  EXPECT_TRUE(encode_value(queued, "wordcount").starts_with(header));
}

TEST(RecordCodec, ValueRoundTrip) {
  task_record terminal = sample();
  terminal.status = task_status::failed;
  terminal.finished_at = terminal.started_at + 5;
  // Separators and any byte in the text fields, and a large result.
  terminal.result = std::string(100'000, 'j') + "|9:x\0y"s + std::string(3, '\xff');
  terminal.error = "a|b:c\nd";
  terminal.idempotency_key = "k|1:2";
  terminal.tenant = "t:|";
  task_record plain;
  plain.id = sample().id;
  for (const task_record& r : {sample(), terminal, plain}) {
    auto d = decode_value(r.id, encode_value(r, "wordcount", 3, 2));
    ASSERT_TRUE(d) << d.err().message;
    expect_same(d->record, r);
    EXPECT_EQ(d->type, "wordcount");
    EXPECT_EQ(d->executions, 3);
    EXPECT_EQ(d->commits, 2);
  }
}

// What a stream's progress needs travels in the record of a task with a
// delay only: workers stamp every attempt's start, but a plain task stores
// neither field and reads back 0 for both.
TEST(RecordCodec, OnlyADelayedTaskStoresItsAttemptStart) {
  task_record running;
  running.id = sample().id;
  running.status = task_status::running;
  running.attempts = 1;
  running.started_at = sample().started_at;
  running.attempt_started_at = sample().started_at;
  const std::string plain = encode_value(running, "echo");
  EXPECT_TRUE(plain.ends_with("0:0:")) << plain; // delay_ms, attempt_started_at
  auto p = decode_value(running.id, plain);
  ASSERT_TRUE(p) << p.err().message;
  EXPECT_EQ(p->record.attempt_started_at, 0);

  task_record delayed = running;
  delayed.delay_ms = 3000;
  auto d = decode_value(delayed.id, encode_value(delayed, "echo"));
  ASSERT_TRUE(d) << d.err().message;
  EXPECT_EQ(d->record.delay_ms, 3000u);
  EXPECT_EQ(d->record.attempt_started_at, delayed.attempt_started_at);
}

TEST(RecordCodec, ValueRejectsWhatIsNotARecordNamingTheField) {
  const std::string good = encode_value(sample(), "echo");
  const auto header_end = good.find("4:echo");
  const std::string body = good.substr(header_end);
  const std::vector<std::pair<std::string, std::string>> bad{
    {"queued|0|0|0|0|0|0|", "fewer than 8"},
    {"done|0|0|0|0|0|0|0|" + body, "status"},
    {"queued|256|0|0|0|0|0|0|" + body, "attempts"},
    {"queued|0|x|0|0|0|0|0|" + body, "next_attempt_at"},
    {"queued|0|0|-1|0|0|0|0|" + body, "started_at"},
    {"queued|0|0|0|1.5|0|0|0|" + body, "finished_at"},
    {"queued|0|0|0|0|99999999999999999999|0|0|" + body, "submitted_at"},
    {"queued|0|0|0|0|0|x|0|" + body, "executions"},
    {"queued|0|0|0|0|0|0||" + body, "commits"},
    {good.substr(0, header_end) + "0:" + body.substr(6), "type"},
    {good.substr(0, good.size() - 3), "attempt_started_at"},
    {good + "x", "after its last field"},
    {good.substr(0, header_end) + "4:echo0:6:urgent0:0:0:0:0:0:", "priority"},
    {good.substr(0, header_end) + "4:echo0:0:3:2560:0:0:0:0:", "max_attempts"},
    {good.substr(0, header_end) + "4:echo0:0:0:0:0:0:10:4294967296" + "0:", "delay_ms"},
    {good.substr(0, header_end) + "4:echo0:0:0:0:0:0:0:4:soon", "attempt_started_at"},
    {good.substr(0, header_end) + "4:echo0:0:0:99:{}", "result"}};
  for (const auto& [value, field] : bad) {
    auto r = decode_value(sample().id, value);
    ASSERT_FALSE(r) << value;
    EXPECT_EQ(r.err().code, errc::bad_record);
    EXPECT_NE(r.err().message.find(field), std::string::npos) << value << ": " << r.err().message;
  }
}

TEST(RecordCodec, IgnoresUnknownFieldsAndDefaultsMissingOptionalOnes) {
  const pairs fields{{"id", "0190f5a2-7c3e-7abc-8def-0123456789ab"},
                     {"type", "echo"},
                     {"status", "running"},
                     {"admitted", "1"}};
  auto r = decode_record(fields);
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_EQ(r->record.status, task_status::running);
  EXPECT_EQ(r->record.attempts, 0);
  EXPECT_EQ(r->record.max_attempts, 3); // the model's default
  EXPECT_EQ(r->record.prio, priority::normal);
}

TEST(RecordCodec, RejectsMissingRequiredFields) {
  const pairs base{{"id", "0190f5a2-7c3e-7abc-8def-0123456789ab"},
                   {"type", "echo"},
                   {"status", "queued"}};
  for (std::size_t skip = 0; skip < base.size(); ++skip) {
    pairs fields;
    for (std::size_t i = 0; i < base.size(); ++i)
      if (i != skip)
        fields.push_back(base[i]);
    auto r = decode_record(fields);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.err().code, errc::bad_record);
    EXPECT_NE(r.err().message.find(std::string(base[skip].first)), std::string::npos);
  }
}

TEST(RecordCodec, RejectsBadValuesNamingTheField) {
  const std::vector<std::pair<std::string_view, std::string_view>> bad{
    {"id", "not-a-uuid"},   {"type", ""},           {"status", "done"},
    {"priority", "urgent"}, {"attempts", "256"},    {"attempts", "-1"},
    {"max_attempts", "x"},  {"submitted_at", "1.5"}, {"started_at", ""},
    {"finished_at", "-3"},  {"next_attempt_at", "99999999999999999999"},
    {"delay_ms", "4294967296"}, {"delay_ms", "-1"}, {"attempt_started_at", "soon"}};
  for (const auto& [name, value] : bad) {
    auto owned = encode_record(sample(), "echo");
    pairs fields = views(owned);
    fields.emplace_back(name, value); // a later duplicate wins, like HSET
    auto r = decode_record(fields);
    ASSERT_FALSE(r) << name << "=" << value;
    EXPECT_EQ(r.err().code, errc::bad_record);
    EXPECT_NE(r.err().message.find(std::string(name)), std::string::npos) << r.err().message;
  }
}

TEST(RecordCodec, StatusAndPriorityNames) {
  EXPECT_EQ(parse_status("dead"), task_status::dead);
  EXPECT_EQ(parse_status("Dead"), std::nullopt);
  EXPECT_EQ(parse_priority("high"), priority::high);
  EXPECT_EQ(parse_priority(""), std::nullopt);
}

} // namespace
} // namespace taskmesh::valkey
