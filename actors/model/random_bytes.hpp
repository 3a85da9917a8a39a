// File: actors/model/random_bytes.hpp
// Bytes from OpenSSL's CSPRNG for values a client must not be able to guess
// from earlier ones (task ids, trace and span ids). Drawn per thread in
// blocks, so the hot path pays a copy, not a call into OpenSSL, for most
// values.
#pragma once

#include <cstddef>
#include <cstdint>

namespace taskmesh {

// Fills out[0..n) (n at most 256). Throws only if the OS has no randomness.
void fill_random(std::uint8_t* out, std::size_t n);

} // namespace taskmesh
