#pragma once
// CPU training and prediction free and re-allocate the same large activation buffers at every
// step or tile. glibc serves blocks above its mmap threshold (up to 32 MiB) with mmap and returns
// them at free, so each step page-faults its activations in again and zeroes them (measured: 15 %
// of a CPU prediction's time in the kernel's page-fault and unmap paths). Serving everything from
// the heap and not trimming it makes the process keep and reuse them, like a caching allocator.
// Process-wide and idempotent; a no-op where the C library has no mallopt.
namespace vwb {

void keepFreedMemoryForReuse();

}  // namespace vwb
