/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rvm: CRC32C (crc.c); rvm_crc32c() itself is declared in record.h.
 */
#ifndef _RVM_CRC_H
#define _RVM_CRC_H

void rvm_crc_init(void);

#endif /* _RVM_CRC_H */
