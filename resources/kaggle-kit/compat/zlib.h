/* Used only where the notebook's image has no zlib.h: the declarations of what
   engine/model/ModelCheckpoint.cpp and engine/train/DataDigest.cpp call, as zlib 1.2.9+ exports them from libz.so.1. */
#ifndef VWBKIT_COMPAT_ZLIB_H
#define VWBKIT_COMPAT_ZLIB_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef unsigned char Bytef;
typedef unsigned long uLong;
#define Z_NULL 0
uLong crc32_z(uLong crc, const Bytef* buf, size_t len);
#ifdef __cplusplus
}
#endif
#endif
