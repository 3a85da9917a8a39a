// File: chaos/verify/task_plan.cpp
#include "chaos/verify/task_plan.hpp"

#include <cctype>
#include <cstdio>
#include <random>

#include <boost/json/serialize.hpp>
#include <openssl/evp.h>

namespace taskmesh::verify {

namespace json = boost::json;

planned_task plan_task(std::string_view run_id, std::uint64_t slot) {
  planned_task t;
  t.key = std::string(run_id) + "-" + std::to_string(slot);
  json::object body{{"idempotency_key", t.key}};
  switch (slot % 3) {
  case 0: { // sha256: the result depends on every payload byte
    const std::string payload = "taskmesh-verify " + t.key;
    body["type"] = "sha256";
    body["payload"] = payload;
    t.expected = json::object{{"sha256", sha256_hex(payload)}};
    break;
  }
  case 1: { // wordcount: 1..7 words
    const std::uint64_t words = slot % 7 + 1;
    std::string payload;
    for (std::uint64_t w = 0; w < words; ++w)
      payload.append(w ? " w" : "w").append(std::to_string(w));
    body["type"] = "wordcount";
    body["payload"] = payload;
    t.expected = json::object{{"words", words}};
    break;
  }
  default: { // uppercase
    std::string payload = "key " + t.key;
    body["type"] = "uppercase";
    body["payload"] = payload;
    for (auto& c : payload)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    t.expected = json::object{{"text", payload}};
  }
  }
  t.body = json::serialize(body);
  return t;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  std::string out;
  char hex[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", digest[i]);
    out += hex;
  }
  return out;
}

std::string random_run_id() {
  std::random_device rd;
  const std::uint64_t v = (std::uint64_t{rd()} << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%012llx", static_cast<unsigned long long>(v & 0xffffffffffffULL));
  return "v" + std::string(buf);
}

} // namespace taskmesh::verify
