#include "engine/core/HeapReuse.h"

#include <cstdlib>  // defines __GLIBC__ on glibc (features.h)

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace vwb {

void keepFreedMemoryForReuse() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace vwb
