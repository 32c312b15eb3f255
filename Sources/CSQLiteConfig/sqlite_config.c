#include <sqlite3.h>
#include "sqlite_config.h"

int egress_audit_sqlite_configure(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
