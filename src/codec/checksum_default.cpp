// XXH3-64 for any processor, as the build's flags allow (SSE2 on x86-64).
// See checksum.hpp.
#define JUG_XXH3_NAME kXxh3Default
#include "codec/checksum_implementation.inc"
