// File: tests/ops/sha256_test.cpp
// Digests checked against the FIPS 180-2 / NIST test vectors.
#include <string>

#include "op_test_support.hpp"

namespace taskmesh::test {
namespace {

std::string digest(std::string_view text) {
  return std::string(run_ok(sha256_op(), text).at("sha256").as_string());
}

TEST(Sha256Op, EmptyString) {
  EXPECT_EQ(run(sha256_op(), "").value,
            R"({"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})");
}

TEST(Sha256Op, Abc) {
  EXPECT_EQ(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Op, TwoBlockMessage) {
  EXPECT_EQ(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Op, MillionAs) {
  EXPECT_EQ(digest(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Op, HashesRawBytesIncludingNulAndUtf8) {
  // sha256 of the single byte 0x00, and of "é" (C3 A9).
  EXPECT_EQ(digest(std::string_view("\0", 1)),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_NE(digest("\xC3\xA9"), digest("e"));
}

} // namespace
} // namespace taskmesh::test
