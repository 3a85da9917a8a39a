// File: actors/ops/sha256.cpp
// sha256: {"sha256": "<64 lowercase hex digits>"} of the payload bytes, via
// OpenSSL's EVP interface.
#include <openssl/evp.h>

#include "actors/ops/builtin_ops.hpp"
#include "actors/ops/op_support.hpp"

namespace taskmesh {
namespace {

const EVP_MD* sha256_md() noexcept {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  // With OpenSSL 3, EVP_sha256() makes every EVP_Digest call fetch the
  // implementation from the provider store again; fetch it once instead.
  // Never freed: it lives as long as the process.
  static EVP_MD* const fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (fetched != nullptr)
    return fetched;
#endif
  return EVP_sha256();
}

op_outcome run(const op_input& in) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(in.payload.data(), in.payload.size(), digest, &size, sha256_md(), nullptr) != 1)
    return op_outcome::permanent("sha256: OpenSSL digest failed");
  // Hex digits need no JSON escaping, so the result is written directly.
  static constexpr std::string_view head = R"({"sha256":")";
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(head.size() + 2 * size + 2, '"');
  head.copy(out.data(), head.size());
  char* digits = out.data() + head.size();
  for (unsigned int i = 0; i < size; ++i) {
    *digits++ = hex[digest[i] >> 4];
    *digits++ = hex[digest[i] & 0xF];
  }
  out.back() = '}';
  return op_outcome::ok(std::move(out));
}

} // namespace

const op_definition& sha256_op() {
  static constexpr op_definition def{"sha256", payload_kind::text, ops::no_params, run};
  return def;
}

} // namespace taskmesh
