// File: actors/model/random_bytes.cpp
#include "actors/model/random_bytes.hpp"

#include <array>
#include <cstring>
#include <stdexcept>

#include <openssl/rand.h>

namespace taskmesh {
namespace {

// OpenSSL's RAND_bytes is a per-thread AES-256-CTR DRBG seeded from the OS;
// one call per 2,560 bytes keeps its cost (locks, reseed checks) off the
// per-request path.
class random_block {
public:
  void take(std::uint8_t* out, std::size_t n) {
    if (block_.size() - used_ < n) {
      if (RAND_bytes(block_.data(), static_cast<int>(block_.size())) != 1)
        throw std::runtime_error("random bytes: the OS random generator failed");
      used_ = 0;
    }
    std::memcpy(out, block_.data() + used_, n);
    used_ += n;
  }

private:
  std::array<std::uint8_t, 2560> block_{};
  std::size_t used_ = block_.size();
};

} // namespace

void fill_random(std::uint8_t* out, std::size_t n) {
  if (n > 256)
    throw std::invalid_argument("fill_random: at most 256 bytes per call");
  thread_local random_block block;
  block.take(out, n);
}

} // namespace taskmesh
