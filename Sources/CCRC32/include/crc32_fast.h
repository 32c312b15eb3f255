#ifndef EGRESS_AUDIT_CRC32_FAST_H
#define EGRESS_AUDIT_CRC32_FAST_H
#include <stddef.h>
#include <stdint.h>
/// The CRC-32 of gzip (the value zlib's crc32() gives for the same bytes): `crc` is the value so far
/// (0 to start). On x86-64 with carry-less multiply it folds 64 bytes a step (about ten times faster
/// than zlib 1.2's table-driven CRC); elsewhere it is zlib's crc32().
uint32_t egress_audit_crc32(uint32_t crc, const uint8_t *data, size_t length);
#endif
