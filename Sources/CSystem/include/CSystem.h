#ifndef VIZSITE_CSYSTEM_H
#define VIZSITE_CSYSTEM_H

/// Atomically exchanges two paths (Linux renameat2 with RENAME_EXCHANGE), so a reader
/// sees either the old or the new folder, never neither. Returns 0, or -1 with errno set
/// (ENOSYS or EINVAL where the kernel or file system cannot exchange).
int vizsite_exchange_paths(const char *a, const char *b);

#include <spawn.h>

/// Adds "change the working folder to `path`" to a posix_spawn's file actions (glibc's
/// posix_spawn_file_actions_addchdir_np, which Swift does not see: it is declared only
/// under _GNU_SOURCE). Returns 0 or an error number.
int vizsite_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path);

#endif
