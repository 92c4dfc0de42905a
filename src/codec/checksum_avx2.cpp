// XXH3-64 for processors with AVX2: on x86-64 this file is compiled with
// -mavx2 (CMakeLists.txt), and used only where the processor has it;
// elsewhere it is empty. See checksum.hpp.
#if defined(__AVX2__)
#define JUG_XXH3_NAME kXxh3Avx2
#include "codec/checksum_implementation.inc"
#endif
