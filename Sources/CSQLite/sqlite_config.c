#include "egress_audit_sqlite.h"

int egress_audit_sqlite_configure(void) {
    int rc = sqlite_nio_sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (rc != SQLITE_OK) return rc;
    // Initialized here, once, before any thread opens a connection: otherwise two threads opening their first
    // connections at once (the writer and the checkpoint thread) both run sqlite3_initialize, which
    // ThreadSanitizer reports as a race in a build compiled into the program.
    return sqlite_nio_sqlite3_initialize();
}
