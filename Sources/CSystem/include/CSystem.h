#ifndef VIZSITE_CSYSTEM_H
#define VIZSITE_CSYSTEM_H

/// Atomically exchanges two paths (Linux renameat2 with RENAME_EXCHANGE), so a reader
/// sees either the old or the new folder, never neither. Returns 0, or -1 with errno set
/// (ENOSYS or EINVAL where the kernel or file system cannot exchange).
int vizsite_exchange_paths(const char *a, const char *b);

#endif
