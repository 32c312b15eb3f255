#include "egress_audit_sqlite.h"

int egress_audit_sqlite_configure(void) {
    return sqlite_nio_sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
