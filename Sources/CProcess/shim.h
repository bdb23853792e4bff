#ifndef VEIL_CPROCESS_SHIM_H
#define VEIL_CPROCESS_SHIM_H
// Swift does not import variadic C functions such as prctl; this inline wrapper stands in for it.
#include <sys/prctl.h>
#include <sys/resource.h>
#include <malloc.h>

/// No core dump of this process, ever: its memory holds camera frames with faces in them. A zero
/// RLIMIT_CORE stops core files; PR_SET_DUMPABLE 0 also stops a piped core_pattern (systemd-coredump)
/// and ptrace attaches by other processes of the same user. Returns 0, or -1 with errno.
static inline int veil_forbid_core_dumps(void) {
    struct rlimit none = {0, 0};
    if (setrlimit(RLIMIT_CORE, &none) != 0) return -1;
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/// Whether this process may dump core (prctl PR_GET_DUMPABLE): 0 once forbidden.
static inline int veil_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }

/// Hands the heap's free memory back to the system (malloc_trim): a camera restarted on reload frees
/// its models' hundreds of MiB in the arenas of threads that are gone, which glibc otherwise keeps.
static inline void veil_return_freed_memory(void) { malloc_trim(0); }
#endif
