#ifndef EGRESS_AUDIT_SQLITE_CONFIG_H
#define EGRESS_AUDIT_SQLITE_CONFIG_H
/// Process-wide SQLite settings that need C (sqlite3_config is variadic).
/// Turns off memory statistics: they take a global mutex on every allocation.
/// Must run before the first connection is opened; returns the SQLite result code.
int egress_audit_sqlite_configure(void);
#endif
