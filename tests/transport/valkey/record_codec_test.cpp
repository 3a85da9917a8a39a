// File: tests/transport/valkey/record_codec_test.cpp
// The record <-> hash field codec: field names and order, values, round
// trips (nulls, large and binary values), borrowing in command form, which
// fields each write form leaves out (a task without a delay stores neither
// delay field), and every decoding error.
#include <algorithm>

#include <gtest/gtest.h>

#include "transport/valkey/record_codec.hpp"

namespace taskmesh::valkey {
namespace {

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
    const task_record& d = back->record;
    EXPECT_EQ(d.id, r.id);
    EXPECT_EQ(d.op, 0); // names travel, indexes do not
    EXPECT_EQ(d.prio, r.prio);
    EXPECT_EQ(d.status, r.status);
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
}

TEST(RecordCodec, CommandFormBorrowsLargeStrings) {
  task_record r = sample();
  r.result = std::string(10'000, 'j');
  const std::string type = "echo";
  command cmd("EVALSHA");
  append_record_fields(cmd, r, type, omit_defaults::none);
  ASSERT_EQ(cmd.size(), 2 + 2 * record_fields.size());
  EXPECT_EQ(cmd[1], std::to_string(record_fields.size())); // the count comes first
  EXPECT_EQ(cmd[2 + 2 * 10 + 1].data(), r.result.data()); // result value: borrowed
  EXPECT_EQ(cmd[2 + 2 * 1 + 1].data(), type.data());      // type: borrowed
  // Same text as encode_record.
  const auto owned = encode_record(r, type);
  for (std::size_t i = 0; i < owned.size(); ++i) {
    EXPECT_EQ(cmd[2 + 2 * i], owned[i].first);
    EXPECT_EQ(cmd[3 + 2 * i], owned[i].second);
  }
}

// The fields of `cmd` after its count, as decode_record reads a hash.
pairs fields_of(const command& cmd) {
  pairs out;
  for (std::size_t i = 2; i + 1 < cmd.size(); i += 2)
    out.emplace_back(cmd[i], cmd[i + 1]);
  return out;
}

std::vector<std::string_view> names_of(const pairs& fields) {
  std::vector<std::string_view> out;
  for (const auto& f : fields)
    out.push_back(f.first);
  return out;
}

// A new record leaves out every field at the value a reader assumes for a
// missing one, and reads back the same.
TEST(RecordCodec, AdmissionFormLeavesOutEveryDefault) {
  task_record r;
  r.id = sample().id;
  r.submitted_at = sample().submitted_at;
  command cmd("EVALSHA");
  append_record_fields(cmd, r, "echo", omit_defaults::all);
  const auto fields = fields_of(cmd);
  EXPECT_EQ(cmd[1], std::to_string(fields.size()));
  EXPECT_EQ(names_of(fields),
            (std::vector<std::string_view>{"id", "type", "status", "submitted_at"}));
  auto d = decode_record(fields);
  ASSERT_TRUE(d) << d.err().message;
  EXPECT_EQ(d->record.prio, r.prio);
  EXPECT_EQ(d->record.max_attempts, r.max_attempts);
  EXPECT_EQ(d->record.attempts, r.attempts);
  EXPECT_EQ(d->record.submitted_at, r.submitted_at);
  EXPECT_EQ(d->record.result, "");
  EXPECT_TRUE(d->record.tenant.empty());
  EXPECT_EQ(d->record.delay_ms, 0u);
  EXPECT_EQ(d->record.attempt_started_at, 0);

  // Values other than the defaults are all written.
  command full("EVALSHA");
  append_record_fields(full, sample(), "echo", omit_defaults::all);
  const auto written = names_of(fields_of(full));
  for (const char* name : {"priority", "attempts", "max_attempts", "started_at",
                           "next_attempt_at", "error", "idempotency_key", "tenant",
                           "delay_ms", "attempt_started_at"})
    EXPECT_NE(std::find(written.begin(), written.end(), name), written.end()) << name;
}

// An update must overwrite what an earlier write stored, so every field an
// update can change is written even at its default; only the ones no
// update changes may be left out.
TEST(RecordCodec, UpdateFormWritesEveryChangingField) {
  task_record r;
  r.id = sample().id;
  r.submitted_at = sample().submitted_at;
  r.status = task_status::succeeded;
  command cmd("EVALSHA");
  append_record_fields(cmd, r, "echo", omit_defaults::never_reset);
  EXPECT_EQ(names_of(fields_of(cmd)),
            (std::vector<std::string_view>{"id", "type", "status", "attempts", "submitted_at",
                                           "started_at", "finished_at", "next_attempt_at",
                                           "result", "error"}));
  auto d = decode_record(fields_of(cmd));
  ASSERT_TRUE(d) << d.err().message;
  EXPECT_EQ(d->record.max_attempts, r.max_attempts);
  EXPECT_EQ(d->record.prio, r.prio);
}

// What a stream's progress needs travels in the record of a task with a
// delay: a worker's update of the running task writes both fields, and
// they read back. A task without a delay stores neither, though workers
// stamp every attempt's start: plain tasks pay no bytes for them.
TEST(RecordCodec, OnlyADelayedTaskStoresItsDelayAndAttemptStart) {
  task_record running;
  running.id = sample().id;
  running.status = task_status::running;
  running.attempts = 1;
  running.submitted_at = sample().submitted_at;
  running.started_at = sample().started_at;
  running.attempt_started_at = sample().started_at;

  for (auto omit : {omit_defaults::all, omit_defaults::never_reset}) {
    command plain("EVALSHA");
    append_record_fields(plain, running, "echo", omit);
    const auto names = names_of(fields_of(plain));
    for (const char* name : {"delay_ms", "attempt_started_at"})
      EXPECT_EQ(std::find(names.begin(), names.end(), name), names.end()) << name;

    task_record delayed = running;
    delayed.delay_ms = 3000;
    command cmd("EVALSHA");
    append_record_fields(cmd, delayed, "echo", omit);
    const auto fields = fields_of(cmd);
    EXPECT_EQ(cmd[1], std::to_string(fields.size()));
    const auto written = names_of(fields);
    for (const char* name : {"delay_ms", "attempt_started_at"})
      EXPECT_NE(std::find(written.begin(), written.end(), name), written.end()) << name;
    auto d = decode_record(fields);
    ASSERT_TRUE(d) << d.err().message;
    EXPECT_EQ(d->record.delay_ms, 3000u);
    EXPECT_EQ(d->record.attempt_started_at, running.attempt_started_at);
  }

  // A delayed task not yet started (admission) has no attempt start to store.
  task_record queued;
  queued.id = sample().id;
  queued.delay_ms = 3000;
  command admit("EVALSHA");
  append_record_fields(admit, queued, "echo", omit_defaults::all);
  EXPECT_EQ(names_of(fields_of(admit)),
            (std::vector<std::string_view>{"id", "type", "status", "delay_ms"}));
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
