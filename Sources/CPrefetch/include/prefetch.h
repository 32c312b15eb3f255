#ifndef EGRESS_AUDIT_PREFETCH_H
#define EGRESS_AUDIT_PREFETCH_H
/// Asks the CPU to start loading the cache line at `p` for reading, without waiting for it (Swift has no
/// prefetch of its own). The writer's lookup tables outgrow the caches: it asks for the lines of the calls
/// it will bind next, so their loads overlap instead of stalling one after another. Never faults.
static inline __attribute__((always_inline)) void egress_audit_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}
#endif
