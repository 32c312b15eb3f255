#ifndef EGRESS_AUDIT_SQLITE_H
#define EGRESS_AUDIT_SQLITE_H
/// SQLite as egress-audit uses it: the build that vapor/sqlite-nio vendors (the amalgamation of a recent release,
/// compiled into this program), under the standard API names.
///
/// Why not the system's libsqlite3: Debian 12 ships SQLite 3.40 built with OMIT_LOOKASIDE (every small allocation
/// goes to malloc), the session and pre-update hooks, and calls between its own functions through the PLT. The same
/// ingest took 16 % fewer writer instructions and 0.93 of the time with 3.54 built in (README, Speed). sqlite-nio
/// prefixes every function it exports (sqlite_nio_sqlite3_*) so that it can live beside another SQLite; these
/// one-line inline functions give the rest of the code the names of SQLite's documentation. Types and constants
/// keep their names there.
#include <sqlite_nio_sqlite3.h>

/// Process-wide SQLite set-up, once, before the first connection is opened: memory statistics off (they take a
/// global mutex on every allocation; sqlite3_config is variadic, so Swift cannot call it), then
/// sqlite3_initialize. Returns the result code.
int egress_audit_sqlite_configure(void);

/// Adds SQLite's math functions (ceil, floor, log, pow, sqrt, … as https://sqlite.org/lang_mathfunc.html describes
/// them) to a connection: the build used here is compiled without them. Returns the result code.
int egress_audit_register_math_functions(sqlite3 *db);

static inline int sqlite3_bind_blob(sqlite3_stmt *s, int i, const void *p, int n, void (*d)(void *)) { return sqlite_nio_sqlite3_bind_blob(s, i, p, n, d); }
static inline int sqlite3_bind_double(sqlite3_stmt *s, int i, double v) { return sqlite_nio_sqlite3_bind_double(s, i, v); }
static inline int sqlite3_bind_int64(sqlite3_stmt *s, int i, sqlite3_int64 v) { return sqlite_nio_sqlite3_bind_int64(s, i, v); }
static inline int sqlite3_bind_null(sqlite3_stmt *s, int i) { return sqlite_nio_sqlite3_bind_null(s, i); }
static inline int sqlite3_bind_parameter_index(sqlite3_stmt *s, const char *name) { return sqlite_nio_sqlite3_bind_parameter_index(s, name); }
static inline int sqlite3_bind_text(sqlite3_stmt *s, int i, const char *p, int n, void (*d)(void *)) { return sqlite_nio_sqlite3_bind_text(s, i, p, n, d); }
static inline int sqlite3_busy_timeout(sqlite3 *db, int ms) { return sqlite_nio_sqlite3_busy_timeout(db, ms); }
static inline int sqlite3_changes(sqlite3 *db) { return sqlite_nio_sqlite3_changes(db); }
static inline int sqlite3_clear_bindings(sqlite3_stmt *s) { return sqlite_nio_sqlite3_clear_bindings(s); }
static inline int sqlite3_close_v2(sqlite3 *db) { return sqlite_nio_sqlite3_close_v2(db); }
static inline int sqlite3_column_bytes(sqlite3_stmt *s, int i) { return sqlite_nio_sqlite3_column_bytes(s, i); }
static inline int sqlite3_column_count(sqlite3_stmt *s) { return sqlite_nio_sqlite3_column_count(s); }
static inline double sqlite3_column_double(sqlite3_stmt *s, int i) { return sqlite_nio_sqlite3_column_double(s, i); }
static inline sqlite3_int64 sqlite3_column_int64(sqlite3_stmt *s, int i) { return sqlite_nio_sqlite3_column_int64(s, i); }
static inline const char * sqlite3_column_name(sqlite3_stmt *s, int i) { return sqlite_nio_sqlite3_column_name(s, i); }
static inline const unsigned char * sqlite3_column_text(sqlite3_stmt *s, int i) { return sqlite_nio_sqlite3_column_text(s, i); }
static inline int sqlite3_column_type(sqlite3_stmt *s, int i) { return sqlite_nio_sqlite3_column_type(s, i); }
static inline int sqlite3_db_status(sqlite3 *db, int op, int *current, int *highest, int reset) { return sqlite_nio_sqlite3_db_status(db, op, current, highest, reset); }
static inline const char * sqlite3_errmsg(sqlite3 *db) { return sqlite_nio_sqlite3_errmsg(db); }
static inline int sqlite3_exec(sqlite3 *db, const char *sql, int (*callback)(void *, int, char **, char **), void *arg, char **errmsg) { return sqlite_nio_sqlite3_exec(db, sql, callback, arg, errmsg); }
static inline int sqlite3_extended_result_codes(sqlite3 *db, int on) { return sqlite_nio_sqlite3_extended_result_codes(db, on); }
static inline int sqlite3_finalize(sqlite3_stmt *s) { return sqlite_nio_sqlite3_finalize(s); }
static inline void sqlite3_free(void *p) { sqlite_nio_sqlite3_free(p); }
static inline sqlite3_int64 sqlite3_last_insert_rowid(sqlite3 *db) { return sqlite_nio_sqlite3_last_insert_rowid(db); }
static inline int sqlite3_open_v2(const char *path, sqlite3 **db, int flags, const char *vfs) { return sqlite_nio_sqlite3_open_v2(path, db, flags, vfs); }
static inline int sqlite3_prepare_v3(sqlite3 *db, const char *sql, int n, unsigned int flags, sqlite3_stmt **s, const char **tail) { return sqlite_nio_sqlite3_prepare_v3(db, sql, n, flags, s, tail); }
static inline int sqlite3_reset(sqlite3_stmt *s) { return sqlite_nio_sqlite3_reset(s); }
static inline int sqlite3_step(sqlite3_stmt *s) { return sqlite_nio_sqlite3_step(s); }
static inline int sqlite3_stmt_readonly(sqlite3_stmt *s) { return sqlite_nio_sqlite3_stmt_readonly(s); }
static inline int sqlite3_system_errno(sqlite3 *db) { return sqlite_nio_sqlite3_system_errno(db); }
static inline int sqlite3_wal_autocheckpoint(sqlite3 *db, int n) { return sqlite_nio_sqlite3_wal_autocheckpoint(db, n); }
static inline int sqlite3_wal_checkpoint_v2(sqlite3 *db, const char *schema, int mode, int *log, int *checkpointed) { return sqlite_nio_sqlite3_wal_checkpoint_v2(db, schema, mode, log, checkpointed); }
static inline void * sqlite3_wal_hook(sqlite3 *db, int (*hook)(void *, sqlite3 *, const char *, int), void *arg) { return sqlite_nio_sqlite3_wal_hook(db, hook, arg); }

#endif
