#include <math.h>
#include "egress_audit_sqlite.h"

// SQLite's built-in math functions (https://sqlite.org/lang_mathfunc.html) exist only in builds compiled with
// SQLITE_ENABLE_MATH_FUNCTIONS, which the build used here is not; Debian's SQLite, used before, had them, and
// `egress-audit sql` users may rely on them. Same semantics: NULL, or text or a blob that is not a number, gives
// NULL; so does a result that is not a number (a domain error); ceil, floor and trunc keep integers as they are.

/// The argument as a double, or 0 (with *ok false) when it is NULL or not numeric.
static double number(sqlite3_value *v, int *ok) {
    int type = sqlite_nio_sqlite3_value_numeric_type(v);
    *ok = type == SQLITE_INTEGER || type == SQLITE_FLOAT;
    return *ok ? sqlite_nio_sqlite3_value_double(v) : 0;
}

static void result(sqlite3_context *c, double r) {
    if (isnan(r)) sqlite_nio_sqlite3_result_null(c); else sqlite_nio_sqlite3_result_double(c, r);
}

typedef double (*unary)(double);

static void apply1(sqlite3_context *c, int n, sqlite3_value **v) {
    (void)n;
    int ok;
    double x = number(v[0], &ok);
    if (!ok) return;
    result(c, ((unary)sqlite_nio_sqlite3_user_data(c))(x));
}

/// ceil, floor, trunc: an integer argument is returned as it is.
static void rounding(sqlite3_context *c, int n, sqlite3_value **v) {
    (void)n;
    int type = sqlite_nio_sqlite3_value_numeric_type(v[0]);
    if (type == SQLITE_INTEGER) { sqlite_nio_sqlite3_result_int64(c, sqlite_nio_sqlite3_value_int64(v[0])); return; }
    if (type != SQLITE_FLOAT) return;
    result(c, ((unary)sqlite_nio_sqlite3_user_data(c))(sqlite_nio_sqlite3_value_double(v[0])));
}

static double positive(double x, double (*f)(double)) { return x > 0 ? f(x) : NAN; }
static double ln_(double x) { return positive(x, log); }
static double log10_(double x) { return positive(x, log10); }
static double log2_(double x) { return positive(x, log2); }
static double sqrt_(double x) { return x >= 0 ? sqrt(x) : NAN; }
static double degrees_(double x) { return x * 180.0 / M_PI; }
static double radians_(double x) { return x * M_PI / 180.0; }

/// log(X) is the base-10 logarithm; log(B, X) the base-B one.
static void logarithm(sqlite3_context *c, int n, sqlite3_value **v) {
    int ok, okb = 1;
    double x = number(v[n - 1], &ok), b = n == 2 ? number(v[0], &okb) : 10;
    if (!ok || !okb) return;
    result(c, x > 0 && b > 0 && b != 1 ? log(x) / log(b) : NAN);
}

static void apply2(sqlite3_context *c, int n, sqlite3_value **v) {
    (void)n;
    int ok1, ok2;
    double x = number(v[0], &ok1), y = number(v[1], &ok2);
    if (!ok1 || !ok2) return;
    result(c, ((double (*)(double, double))sqlite_nio_sqlite3_user_data(c))(x, y));
}

static void pi_(sqlite3_context *c, int n, sqlite3_value **v) { (void)n; (void)v; sqlite_nio_sqlite3_result_double(c, M_PI); }

int egress_audit_register_math_functions(sqlite3 *db) {
    static const struct { const char *name; unary f; } unaries[] = {
        {"exp", exp}, {"ln", ln_}, {"log10", log10_}, {"log2", log2_}, {"sqrt", sqrt_}, {"sin", sin}, {"cos", cos},
        {"tan", tan}, {"asin", asin}, {"acos", acos}, {"atan", atan}, {"sinh", sinh}, {"cosh", cosh}, {"tanh", tanh},
        {"asinh", asinh}, {"acosh", acosh}, {"atanh", atanh}, {"degrees", degrees_}, {"radians", radians_},
    };
    static const struct { const char *name; unary f; } roundings[] = {
        {"ceil", ceil}, {"ceiling", ceil}, {"floor", floor}, {"trunc", trunc},
    };
    static const struct { const char *name; double (*f)(double, double); } binaries[] = {
        {"pow", pow}, {"power", pow}, {"atan2", atan2}, {"mod", fmod},
    };
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    int rc = SQLITE_OK;
    for (unsigned i = 0; rc == SQLITE_OK && i < sizeof unaries / sizeof *unaries; i++)
        rc = sqlite_nio_sqlite3_create_function_v2(db, unaries[i].name, 1, flags, (void *)unaries[i].f, apply1, 0, 0, 0);
    for (unsigned i = 0; rc == SQLITE_OK && i < sizeof roundings / sizeof *roundings; i++)
        rc = sqlite_nio_sqlite3_create_function_v2(db, roundings[i].name, 1, flags, (void *)roundings[i].f, rounding, 0, 0, 0);
    for (unsigned i = 0; rc == SQLITE_OK && i < sizeof binaries / sizeof *binaries; i++)
        rc = sqlite_nio_sqlite3_create_function_v2(db, binaries[i].name, 2, flags, (void *)binaries[i].f, apply2, 0, 0, 0);
    if (rc == SQLITE_OK) rc = sqlite_nio_sqlite3_create_function_v2(db, "log", 1, flags, 0, logarithm, 0, 0, 0);
    if (rc == SQLITE_OK) rc = sqlite_nio_sqlite3_create_function_v2(db, "log", 2, flags, 0, logarithm, 0, 0, 0);
    if (rc == SQLITE_OK) rc = sqlite_nio_sqlite3_create_function_v2(db, "pi", 0, flags, 0, pi_, 0, 0, 0);
    return rc;
}
