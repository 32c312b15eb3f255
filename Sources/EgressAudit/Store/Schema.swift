/// The database schema as an ordered list of migrations; `PRAGMA user_version` records how many ran.
///
/// Tables keep time as integer epoch microseconds and small dictionary ids; the public, documented
/// contract is the `calls` view (README, "The calls view"), which renders ISO time and names.
public enum Schema {
    /// Migration `i` takes a database from version `i` to `i + 1`. Append only; never edit a shipped one.
    public static let migrations: [String] = [
        """
        CREATE TABLE strings (
            id    INTEGER PRIMARY KEY,
            value TEXT NOT NULL UNIQUE
        );
        CREATE TABLE ingested_files (
            id                INTEGER PRIMARY KEY,
            path              TEXT NOT NULL,      -- the path it was last read from ('-' for stdin)
            head_len          INTEGER NOT NULL,   -- content identity: hash of the first head_len bytes
            head_hash         INTEGER NOT NULL,
            tail_len          INTEGER NOT NULL,   -- and of the last line before the checkpoint
            tail_hash         INTEGER NOT NULL,
            bytes             INTEGER NOT NULL,   -- checkpoint: content bytes consumed (decompressed)
            lines             INTEGER NOT NULL,   -- lines consumed
            compressed        INTEGER NOT NULL DEFAULT 0,
            layout            TEXT,
            access_lines      INTEGER NOT NULL DEFAULT 0,
            calls             INTEGER NOT NULL DEFAULT 0,
            inbound           INTEGER NOT NULL DEFAULT 0,
            unrouted          INTEGER NOT NULL DEFAULT 0,
            other_lines       INTEGER NOT NULL DEFAULT 0,
            rejected          INTEGER NOT NULL DEFAULT 0,
            first_ts          INTEGER,
            last_ts           INTEGER,
            first_ingested_at INTEGER NOT NULL,
            last_ingested_at  INTEGER NOT NULL
        );
        CREATE INDEX ingested_files_by_head ON ingested_files(head_len, head_hash);
        CREATE TABLE call_shapes (
            id                    INTEGER PRIMARY KEY,
            key_hash              INTEGER NOT NULL,   -- ByteHash.stored of the encoded values (ShapeKey), for lookup
            verdict               INTEGER NOT NULL,   -- 0 allowed, 1 passthrough, 2 blocked, 3 internal
            protocol              INTEGER NOT NULL,   -- 0 http, 1 tls, 2 tcp
            dest_port             INTEGER,
            response_code         INTEGER,
            dest_host             INTEGER REFERENCES strings(id),
            dest_ip               INTEGER REFERENCES strings(id),
            upstream_cluster      INTEGER REFERENCES strings(id),
            route_name            INTEGER REFERENCES strings(id),
            response_flags        INTEGER REFERENCES strings(id),
            response_code_details INTEGER REFERENCES strings(id),
            method                INTEGER REFERENCES strings(id),
            authority             INTEGER REFERENCES strings(id),
            sni                   INTEGER REFERENCES strings(id)
        );
        CREATE INDEX call_shapes_by_hash ON call_shapes(key_hash);
        CREATE TABLE callers (
            id                    INTEGER PRIMARY KEY,
            key_hash              INTEGER NOT NULL,   -- ByteHash.stored of the encoded values, for lookup
            source_namespace      INTEGER REFERENCES strings(id),
            source_pod            INTEGER REFERENCES strings(id),
            source_ip             INTEGER REFERENCES strings(id)
        );
        CREATE INDEX callers_by_hash ON callers(key_hash);
        CREATE TABLE call_facts (
            id                    INTEGER PRIMARY KEY,
            ts                    INTEGER,            -- epoch microseconds
            shape_id              INTEGER NOT NULL REFERENCES call_shapes(id),
            caller_id             INTEGER NOT NULL REFERENCES callers(id),
            upstream_host         INTEGER REFERENCES strings(id),
            user_agent            INTEGER REFERENCES strings(id),
            path                  TEXT,
            x_forwarded_for       TEXT,
            bytes_received        INTEGER,
            bytes_sent            INTEGER,
            duration_ms           INTEGER,
            file_id               INTEGER NOT NULL REFERENCES ingested_files(id),
            log_line              INTEGER NOT NULL
        );
        CREATE TABLE rejects (
            id       INTEGER PRIMARY KEY,
            file_id  INTEGER NOT NULL REFERENCES ingested_files(id),
            log_file TEXT NOT NULL,
            log_line INTEGER NOT NULL,
            reason   TEXT NOT NULL,
            excerpt  BLOB NOT NULL                 -- the first 512 bytes of the line
        );
        CREATE VIEW calls AS
        SELECT
            c.id AS id,
            CASE WHEN c.ts IS NULL THEN NULL ELSE
                strftime('%Y-%m-%dT%H:%M:%S', c.ts / 1000000, 'unixepoch') || '.' ||
                substr('00' || ((c.ts / 1000) % 1000), -3) || 'Z' END AS ts,
            c.ts AS ts_us,
            CASE s.verdict WHEN 0 THEN 'allowed' WHEN 1 THEN 'passthrough' WHEN 2 THEN 'blocked' ELSE 'internal' END AS verdict,
            h.value AS dest_host,
            dip.value AS dest_ip,
            s.dest_port AS dest_port,
            CASE s.protocol WHEN 0 THEN 'http' WHEN 1 THEN 'tls' ELSE 'tcp' END AS protocol,
            uc.value AS upstream_cluster,
            rn.value AS route_name,
            s.response_code AS response_code,
            rf.value AS response_flags,
            rd.value AS response_code_details,
            m.value AS method,
            c.path AS path,
            a.value AS authority,
            sn.value AS sni,
            uh.value AS upstream_host,
            ua.value AS user_agent,
            c.x_forwarded_for AS x_forwarded_for,
            c.bytes_received AS bytes_received,
            c.bytes_sent AS bytes_sent,
            c.duration_ms AS duration_ms,
            ns.value AS source_namespace,
            pod.value AS source_pod,
            sip.value AS source_ip,
            f.path AS log_file,
            c.log_line AS log_line
        FROM call_facts c
        JOIN call_shapes s ON s.id = c.shape_id
        JOIN callers w ON w.id = c.caller_id
        LEFT JOIN strings h   ON h.id = s.dest_host
        LEFT JOIN strings dip ON dip.id = s.dest_ip
        LEFT JOIN strings uc  ON uc.id = s.upstream_cluster
        LEFT JOIN strings rn  ON rn.id = s.route_name
        LEFT JOIN strings rf  ON rf.id = s.response_flags
        LEFT JOIN strings rd  ON rd.id = s.response_code_details
        LEFT JOIN strings m   ON m.id = s.method
        LEFT JOIN strings a   ON a.id = s.authority
        LEFT JOIN strings sn  ON sn.id = s.sni
        LEFT JOIN strings uh  ON uh.id = c.upstream_host
        LEFT JOIN strings ua  ON ua.id = c.user_agent
        LEFT JOIN strings sip ON sip.id = w.source_ip
        LEFT JOIN strings ns  ON ns.id = w.source_namespace
        LEFT JOIN strings pod ON pod.id = w.source_pod
        LEFT JOIN ingested_files f ON f.id = c.file_id;
        """,
        // 2: which services a pod IP served, from inbound lines' Istio mTLS SNI
        // (`outbound_.<port>_.<subset>_.<service>.<namespace>.svc.<domain>`): names callers' namespaces.
        """
        CREATE TABLE pod_services (
            ip        TEXT NOT NULL,
            service   TEXT NOT NULL,      -- the service host, e.g. checkout.payments.svc.cluster.local
            namespace TEXT NOT NULL,
            calls     INTEGER NOT NULL,   -- inbound lines seen
            first_ts  INTEGER,
            last_ts   INTEGER,
            PRIMARY KEY (ip, service)
        ) WITHOUT ROWID;
        """,
        // 3: every checkpoint an input went through, so a shorter copy of content already read (a
        // copytruncate copy, a copy caught while it is written) is recognised as read.
        """
        CREATE TABLE file_checkpoints (
            file_id   INTEGER NOT NULL REFERENCES ingested_files(id),
            bytes     INTEGER NOT NULL,
            lines     INTEGER NOT NULL,
            head_len  INTEGER NOT NULL,
            head_hash INTEGER NOT NULL,
            tail_len  INTEGER NOT NULL,
            tail_hash INTEGER NOT NULL,
            PRIMARY KEY (file_id, bytes)
        ) WITHOUT ROWID;
        CREATE INDEX file_checkpoints_by_head ON file_checkpoints(head_len, head_hash);
        INSERT INTO file_checkpoints SELECT id, bytes, lines, head_len, head_hash, tail_len, tail_hash
            FROM ingested_files WHERE bytes > 0;
        """,
        // 4: summaries of the calls leaving the mesh, kept at ingest (`SummaryWriter`), and the public views
        // over them that the canned reports read. Calls not yet summed (id > covered_id) are read from call_facts.
        """
        CREATE TABLE summary_state (
            id         INTEGER PRIMARY KEY CHECK (id = 1),
            covered_id INTEGER NOT NULL       -- the summaries hold exactly the call_facts rows with id <= covered_id
        );
        INSERT INTO summary_state VALUES (1, 0);
        CREATE TABLE call_targets (
            id               INTEGER PRIMARY KEY,
            verdict          INTEGER NOT NULL,
            protocol         INTEGER NOT NULL,
            dest_port        INTEGER NOT NULL,   -- -1 for none
            dest_host        INTEGER NOT NULL,   -- strings ids, 0 for none
            dest_ip          INTEGER NOT NULL,
            upstream_cluster INTEGER NOT NULL,
            response_flags   INTEGER NOT NULL,
            UNIQUE (verdict, protocol, dest_port, dest_host, dest_ip, upstream_cluster, response_flags)
        );
        \(TargetInterner.fillSQL);
        CREATE TABLE call_totals (
            target_id       INTEGER NOT NULL REFERENCES call_targets(id),
            caller_id       INTEGER NOT NULL REFERENCES callers(id),
            calls           INTEGER NOT NULL,
            first_ts        INTEGER,
            last_ts         INTEGER,
            bytes_received  INTEGER NOT NULL,
            bytes_sent      INTEGER NOT NULL,
            max_duration_ms INTEGER,
            PRIMARY KEY (target_id, caller_id)
        ) WITHOUT ROWID;
        CREATE TABLE call_duration_buckets (
            destination INTEGER NOT NULL,     -- strings id of the host, else of the IP; 0 for neither
            dest_port   INTEGER NOT NULL,     -- -1 for none
            duration_ms INTEGER NOT NULL,     -- DurationBucket: exact below 32 ms, then 16 buckets per doubling
            calls       INTEGER NOT NULL,
            max_ms      INTEGER NOT NULL,     -- the longest call in the bucket
            PRIMARY KEY (destination, dest_port, duration_ms)
        ) WITHOUT ROWID;
        CREATE TABLE call_hour_counts (
            hour      INTEGER NOT NULL,       -- epoch hours; -9223372036854775808 for calls with no time
            verdict   INTEGER NOT NULL,
            caller_id INTEGER NOT NULL REFERENCES callers(id),
            calls     INTEGER NOT NULL,
            first_id  INTEGER NOT NULL,       -- the smallest and largest call_facts id counted: where a window
            last_id   INTEGER NOT NULL,       -- over these hours finds its calls without reading all of them
            PRIMARY KEY (hour, verdict, caller_id)
        ) WITHOUT ROWID;
        \(summaryViewsV4)
        """,
        // 5: call rows without declared types and NOT NULLs, and with the input and line in one integer. Every value
        // is bound with its exact type, so SQLite's affinity pass and NULL checks on each insert were pure cost (8 %
        // of an insert), and one column fewer is another 5.6 % (C program of this schema, instruction counts). The
        // old table is renamed first (a rename re-checks every view, users' own over `calls` included, so it must
        // run while they all resolve), then dropped with the views over it, which are made again: `calls` as before,
        // column for column, its numbers and texts CAST so they keep the affinity the typed columns gave them
        // (`log_line = '3'` still matches line 3).
        """
        ALTER TABLE call_facts RENAME TO call_facts_v4;
        CREATE TABLE call_facts (
            id              INTEGER PRIMARY KEY,
            ts,                 -- epoch microseconds (integer)
            shape_id,           -- call_shapes(id)
            caller_id,          -- callers(id)
            upstream_host,      -- strings(id)
            user_agent,         -- strings(id)
            path,               -- text
            x_forwarded_for,    -- text
            bytes_received,
            bytes_sent,
            duration_ms,
            line_ref            -- ingested_files(id) * 2^36 + the line's number in that input (Schema.lineRef)
        );
        INSERT INTO call_facts SELECT id, ts, shape_id, caller_id, upstream_host, user_agent, path, x_forwarded_for,
            bytes_received, bytes_sent, duration_ms, file_id * 68719476736 + log_line FROM call_facts_v4 ORDER BY id;
        DROP VIEW calls;
        DROP VIEW call_summary;
        DROP VIEW call_durations;
        DROP VIEW calls_by_hour;
        DROP TABLE call_facts_v4;
        CREATE VIEW calls AS
        SELECT
            c.id AS id,
            CASE WHEN c.ts IS NULL THEN NULL ELSE
                strftime('%Y-%m-%dT%H:%M:%S', c.ts / 1000000, 'unixepoch') || '.' ||
                substr('00' || ((c.ts / 1000) % 1000), -3) || 'Z' END AS ts,
            CAST(c.ts AS INTEGER) AS ts_us,
            CASE s.verdict WHEN 0 THEN 'allowed' WHEN 1 THEN 'passthrough' WHEN 2 THEN 'blocked' ELSE 'internal' END AS verdict,
            h.value AS dest_host,
            dip.value AS dest_ip,
            s.dest_port AS dest_port,
            CASE s.protocol WHEN 0 THEN 'http' WHEN 1 THEN 'tls' ELSE 'tcp' END AS protocol,
            uc.value AS upstream_cluster,
            rn.value AS route_name,
            s.response_code AS response_code,
            rf.value AS response_flags,
            rd.value AS response_code_details,
            m.value AS method,
            CAST(c.path AS TEXT) AS path,
            a.value AS authority,
            sn.value AS sni,
            uh.value AS upstream_host,
            ua.value AS user_agent,
            CAST(c.x_forwarded_for AS TEXT) AS x_forwarded_for,
            CAST(c.bytes_received AS INTEGER) AS bytes_received,
            CAST(c.bytes_sent AS INTEGER) AS bytes_sent,
            CAST(c.duration_ms AS INTEGER) AS duration_ms,
            ns.value AS source_namespace,
            pod.value AS source_pod,
            sip.value AS source_ip,
            f.path AS log_file,
            CAST(c.line_ref & 68719476735 AS INTEGER) AS log_line
        FROM call_facts c
        JOIN call_shapes s ON s.id = c.shape_id
        JOIN callers w ON w.id = c.caller_id
        LEFT JOIN strings h   ON h.id = s.dest_host
        LEFT JOIN strings dip ON dip.id = s.dest_ip
        LEFT JOIN strings uc  ON uc.id = s.upstream_cluster
        LEFT JOIN strings rn  ON rn.id = s.route_name
        LEFT JOIN strings rf  ON rf.id = s.response_flags
        LEFT JOIN strings rd  ON rd.id = s.response_code_details
        LEFT JOIN strings m   ON m.id = s.method
        LEFT JOIN strings a   ON a.id = s.authority
        LEFT JOIN strings sn  ON sn.id = s.sni
        LEFT JOIN strings uh  ON uh.id = c.upstream_host
        LEFT JOIN strings ua  ON ua.id = c.user_agent
        LEFT JOIN strings sip ON sip.id = w.source_ip
        LEFT JOIN strings ns  ON ns.id = w.source_namespace
        LEFT JOIN strings pod ON pod.id = w.source_pod
        LEFT JOIN ingested_files f ON f.id = c.line_ref >> 36;
        \(summaryViewsV4)
        """,
    ]

    /// The summary views as migration 4 made them, over `call_facts`; migration 5 makes them again after rebuilding
    /// that table. Part of shipped migrations: never edit (a change to a view is a new migration).
    static let summaryViewsV4 = """
        CREATE VIEW call_summary AS
        SELECT
            CASE tg.verdict WHEN 0 THEN 'allowed' WHEN 1 THEN 'passthrough' ELSE 'blocked' END AS verdict,
            h.value AS dest_host,
            dip.value AS dest_ip,
            nullif(tg.dest_port, -1) AS dest_port,
            CASE tg.protocol WHEN 0 THEN 'http' WHEN 1 THEN 'tls' ELSE 'tcp' END AS protocol,
            uc.value AS upstream_cluster,
            rf.value AS response_flags,
            ns.value AS source_namespace,
            pod.value AS source_pod,
            sip.value AS source_ip,
            t.calls AS calls,
            CASE WHEN t.first_ts IS NULL THEN NULL ELSE
                strftime('%Y-%m-%dT%H:%M:%S', t.first_ts / 1000000, 'unixepoch') || '.' ||
                substr('00' || ((t.first_ts / 1000) % 1000), -3) || 'Z' END AS first_ts,
            CASE WHEN t.last_ts IS NULL THEN NULL ELSE
                strftime('%Y-%m-%dT%H:%M:%S', t.last_ts / 1000000, 'unixepoch') || '.' ||
                substr('00' || ((t.last_ts / 1000) % 1000), -3) || 'Z' END AS last_ts,
            t.first_ts AS first_ts_us,
            t.last_ts AS last_ts_us,
            t.bytes_received AS bytes_received,
            t.bytes_sent AS bytes_sent,
            t.max_duration_ms AS max_duration_ms
        FROM (SELECT target_id, caller_id, calls, first_ts, last_ts, bytes_received, bytes_sent, max_duration_ms FROM call_totals
              UNION ALL
              SELECT tg.id, c.caller_id, 1, c.ts, c.ts, coalesce(c.bytes_received, 0), coalesce(c.bytes_sent, 0), c.duration_ms
              FROM call_facts c JOIN call_shapes s ON s.id = c.shape_id
              \(TargetInterner.joinSQL)
              WHERE c.id > (SELECT covered_id FROM summary_state) AND s.verdict != 3) t
        JOIN call_targets tg ON tg.id = t.target_id
        JOIN callers w ON w.id = t.caller_id
        LEFT JOIN strings h   ON h.id = tg.dest_host
        LEFT JOIN strings dip ON dip.id = tg.dest_ip
        LEFT JOIN strings uc  ON uc.id = tg.upstream_cluster
        LEFT JOIN strings rf  ON rf.id = tg.response_flags
        LEFT JOIN strings sip ON sip.id = w.source_ip
        LEFT JOIN strings ns  ON ns.id = w.source_namespace
        LEFT JOIN strings pod ON pod.id = w.source_pod;
        CREATE VIEW call_durations AS
        SELECT x.value AS destination, nullif(d.dest_port, -1) AS dest_port, d.duration_ms AS duration_ms, d.calls AS calls,
               d.max_ms AS max_ms
        FROM (SELECT destination, dest_port, duration_ms, calls, max_ms FROM call_duration_buckets
              UNION ALL
              SELECT coalesce(s.dest_host, s.dest_ip, 0), coalesce(s.dest_port, -1), \(DurationBucket.sql(of: "c.duration_ms")), 1,
                     c.duration_ms
              FROM call_facts c JOIN call_shapes s ON s.id = c.shape_id
              WHERE c.id > (SELECT covered_id FROM summary_state) AND s.verdict IN (0, 1) AND c.duration_ms >= 0) d
        LEFT JOIN strings x ON x.id = d.destination;
        CREATE VIEW calls_by_hour AS
        SELECT CASE WHEN k.hour = -9223372036854775808 THEN NULL ELSE strftime('%Y-%m-%dT%H:00Z', k.hour * 3600, 'unixepoch') END AS hour,
               CASE WHEN k.hour = -9223372036854775808 THEN NULL ELSE k.hour * 3600000000 END AS hour_us,
               CASE k.verdict WHEN 0 THEN 'allowed' WHEN 1 THEN 'passthrough' ELSE 'blocked' END AS verdict,
               ns.value AS source_namespace,
               pod.value AS source_pod,
               sip.value AS source_ip,
               k.calls AS calls
        FROM (SELECT hour, verdict, caller_id, calls FROM call_hour_counts
              UNION ALL
              SELECT \(SummaryWriter.hourSQL), s.verdict, c.caller_id, 1
              FROM call_facts c JOIN call_shapes s ON s.id = c.shape_id
              WHERE c.id > (SELECT covered_id FROM summary_state) AND s.verdict != 3) k
        JOIN callers w ON w.id = k.caller_id
        LEFT JOIN strings sip ON sip.id = w.source_ip
        LEFT JOIN strings ns  ON ns.id = w.source_namespace
        LEFT JOIN strings pod ON pod.id = w.source_pod;
        """

    /// Bits of `call_facts.line_ref` that hold the line number; the input's id is above them.
    static let lineBits: Int64 = 36

    /// `call_facts.line_ref` of line `line` of input `fileID`, or nil when either is out of range (an input of
    /// more than 2^36 − 1 lines, or more than 2^27 − 1 inputs in one database).
    @inline(__always) static func lineRef(fileID: Int64, line: Int64) -> Int64? {
        guard line >= 0, line < 1 << lineBits, fileID >= 0, fileID < 1 << (63 - lineBits) else { return nil }
        return fileID << lineBits | line
    }

    /// Brings the database to the newest schema, one transaction per migration. The version is read inside
    /// each write transaction, so two processes opening a new database at once do not both migrate it.
    public static func migrate(_ db: SQLiteDatabase) throws {
        while true {
            try db.execute("BEGIN IMMEDIATE")
            do {
                let version = Int(try db.scalar("PRAGMA user_version") ?? 0)
                guard version <= migrations.count else {
                    throw SQLiteError(code: 0, message: "schema version \(version) is newer than this egress-audit knows (\(migrations.count))",
                                      path: db.path, context: "cannot use the database; upgrade egress-audit")
                }
                if version == migrations.count {
                    try db.execute("COMMIT")
                    return
                }
                try db.execute(migrations[version])
                try db.execute("PRAGMA user_version = \(version + 1)")
                try db.execute("COMMIT")
            } catch {
                try? db.execute("ROLLBACK")
                throw error
            }
        }
    }
}
