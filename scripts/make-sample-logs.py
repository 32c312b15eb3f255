#!/usr/bin/env python3
"""Generate the sample-logs/ tree for egress-audit.

Deterministic: every file uses its own random.Random seeded from a fixed string,
all timestamps are fixed (2026-11-22 / 2026-11-23 UTC), nothing touches the network,
and only the Python 3 standard library is used.

    python3 scripts/make-sample-logs.py            # writes <repo>/sample-logs/
    python3 scripts/make-sample-logs.py --out DIR  # writes elsewhere

Every Envoy text line is checked against the token count of its Istio layout
(Envoy 13, 1.1 19, 1.2 20, 1.3-1.7 21, 1.8 20, 1.9+ 22) and re-parsed from both
ends; every access line (text or JSON) is re-classified from its rendered bytes and
the result must agree with what the generator intended. The per-file counts are
printed and written into sample-logs/README.md.
"""

import argparse
import calendar
import gzip
import json
import os
import random
import re
import sys
import uuid
from collections import OrderedDict

SEED = "egress-audit-sample-logs-v1"

# --------------------------------------------------------------------------------------
# time helpers (integer nanoseconds since the epoch, UTC)
# --------------------------------------------------------------------------------------

MS = 1_000_000
SEC = 1_000_000_000


def at(day, hh, mm, ss=0, ms=0):
    """2026-11-<day>T<hh>:<mm>:<ss>.<ms>Z as epoch nanoseconds."""
    return (calendar.timegm((2026, 11, day, hh, mm, ss, 0, 0, 0)) * SEC) + ms * MS


def _split(ns):
    secs, frac = divmod(ns, SEC)
    import time as _t
    return _t.gmtime(secs), frac


def fmt_envoy(ns):
    """Envoy %START_TIME% default: 2026-11-23T09:12:03.123Z (ms, truncated)."""
    t, frac = _split(ns)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (t[:6] + (frac // MS,))


def fmt_nano(ns):
    """Go time.RFC3339Nano (containerd CRI, Docker json-file): trailing zeros trimmed."""
    t, frac = _split(ns)
    base = "%04d-%02d-%02dT%02d:%02d:%02d" % t[:6]
    if frac:
        base += "." + ("%09d" % frac).rstrip("0")
    return base + "Z"


def fmt_nano9(ns):
    """Fixed 9 fractional digits (what Fluent Bit's cri parser passes through)."""
    t, frac = _split(ns)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ" % (t[:6] + (frac,))


def fmt_agent(ns):
    """istio pkg/log: 2026-11-23T09:00:01.000000Z (µs)."""
    t, frac = _split(ns)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (t[:6] + (frac // 1000,))


def fmt_k8s(ns):
    """Kubernetes metav1.Time: seconds precision."""
    t, _ = _split(ns)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % t[:6]


# --------------------------------------------------------------------------------------
# small random helpers
# --------------------------------------------------------------------------------------


class Rnd(random.Random):
    def port(self):
        return self.randint(32768, 60999)

    def uuid4(self):
        return str(uuid.UUID(int=self.getrandbits(128), version=4))

    def hex64(self):
        return "%064x" % self.getrandbits(256)

    def jitter_ms(self, lo, hi):
        return self.randint(lo * 1000, hi * 1000) * 1000  # µs granularity in ns


def rng_for(name):
    return Rnd("%s/%s" % (SEED, name))


# --------------------------------------------------------------------------------------
# Envoy text layouts
# --------------------------------------------------------------------------------------

# fields of a call dict (None renders as "-" / null):
#   start, method, path, protocol, code, flags, details, term, mixer, utfr,
#   rx, tx, dur, ust, xff, ua, rid, authority, uhost, cluster, ula, dla, dra, sni, route

LAYOUT_TOKENS = {"envoy": 13, "1.1": 19, "1.2": 20, "1.6": 21, "1.8": 20, "1.9": 22}
LAYOUT_NAMES = {
    "1.6": "Istio 1.3-1.7 text (21 tokens: \"mixer status\" + \"utfr\" + route)",
    "1.8": "Istio 1.8 text (20 tokens: \"utfr\" + route, no mixer status)",
    "1.9": "Istio 1.9-1.22 text (22 tokens, %UPSTREAM_CLUSTER%)",
    "1.23": "Istio 1.23+ text (22 tokens, %UPSTREAM_CLUSTER_RAW%)",
}


def d(v):
    return "-" if v is None or v == "" else str(v)


def q(v):
    return '"%s"' % d(v)


def render_text(c, layout):
    if c.get("method") is None:
        req = '"- - -"'
    else:
        req = '"%s %s %s"' % (c["method"], c["path"], c["protocol"])
    head = ["[%s]" % fmt_envoy(c["start"]), req, d(c.get("code", 0)), d(c.get("flags"))]
    if layout == "1.9":
        head += [d(c.get("details")), d(c.get("term")), q(c.get("utfr"))]
    elif layout == "1.6":
        head += [q(c.get("mixer")), q(c.get("utfr"))]
    elif layout == "1.8":
        head += [q(c.get("utfr"))]
    else:
        raise ValueError(layout)
    head += [d(c.get("rx", 0)), d(c.get("tx", 0)), d(c.get("dur", 0)), d(c.get("ust"))]
    mid = [q(c.get("xff")), q(c.get("ua")), q(c.get("rid")), q(c.get("authority")), q(c.get("uhost"))]
    tail = [d(c.get("cluster")), d(c.get("ula")), d(c.get("dla")), d(c.get("dra")), d(c.get("sni")), d(c.get("route"))]
    return " ".join(head + mid + tail)


def naive_tokens(line):
    """Count tokens: [time] once, each "..." once (ends at a quote followed by space/EOL), bare words."""
    toks = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch == " ":
            i += 1
            continue
        if ch == "[" and i == 0:
            j = line.index("]", i)
            toks.append(line[i:j + 1])
            i = j + 1
        elif ch == '"':
            j = i + 1
            while True:
                j = line.find('"', j)
                if j < 0:
                    raise ValueError("unterminated quote in %r" % line[:120])
                if j + 1 == n or line[j + 1] == " ":
                    break
                j += 1
            toks.append(line[i:j + 1])
            i = j + 1
        else:
            j = line.find(" ", i)
            if j < 0:
                j = n
            toks.append(line[i:j])
            i = j
    return toks


HEAD_FIELDS = {
    "1.6": ["req", "code", "flags", "mixer", "utfr", "rx", "tx", "dur", "ust"],
    "1.8": ["req", "code", "flags", "utfr", "rx", "tx", "dur", "ust"],
    "1.9": ["req", "code", "flags", "details", "term", "utfr", "rx", "tx", "dur", "ust"],
}
TAIL_FIELDS = ["cluster", "ula", "dla", "dra", "sni", "route"]


def unq(tok):
    assert tok.startswith('"') and tok.endswith('"') and len(tok) >= 2, tok
    v = tok[1:-1]
    return None if v == "-" else v


def undash(tok):
    return None if tok == "-" else tok


def parse_text(line, layout):
    """Parse from both ends (the way the reference recommends); user agent takes the middle."""
    assert line.startswith("[")
    j = line.index("] ")
    out = {"time": line[1:j]}
    rest = line[j + 2:]
    # head, left to right
    for name in HEAD_FIELDS[layout]:
        if rest.startswith('"'):
            k = rest.index('" ', 1)
            out[name] = unq(rest[:k + 1])
            rest = rest[k + 2:]
        else:
            k = rest.index(" ")
            out[name] = undash(rest[:k])
            rest = rest[k + 1:]
    # tail, right to left: 6 bare tokens then "authority" "upstream_host"
    parts = rest.rsplit(" ", len(TAIL_FIELDS))
    rest, bare = parts[0], parts[1:]
    assert len(bare) == len(TAIL_FIELDS), line[:200]
    for name, tok in zip(TAIL_FIELDS, bare):
        assert '"' not in tok, (name, tok)
        out[name] = undash(tok)
    rest, uhost = rest.rsplit(" ", 1)
    out["uhost"] = unq(uhost)
    rest, auth = rest.rsplit(" ", 1)
    out["authority"] = unq(auth)
    # middle: "xff" "ua..." "rid"
    k = rest.index('" ', 1)
    out["xff"] = unq(rest[:k + 1])
    rest = rest[k + 2:]
    rest, rid = rest.rsplit(" ", 1)
    out["rid"] = unq(rid)
    out["ua"] = unq(rest)
    req = out.pop("req")
    if req is None:  # never: "- - -" is not "-"
        raise ValueError("bad request triple")
    if req == "- - -":
        out["method"] = out["path"] = out["protocol"] = None
    else:
        out["method"], rest = req.split(" ", 1)
        out["path"], out["protocol"] = rest.rsplit(" ", 1)
    out["code"] = int(out["code"])
    return out


def check_text(line, layout, c):
    want = LAYOUT_TOKENS[layout]
    if not c.get("quote_injection"):
        n = len(naive_tokens(line))
        if n != want:
            raise AssertionError("layout %s wants %d tokens, got %d: %s" % (layout, want, n, line[:300]))
    else:
        # the naive count must be *wrong* here, that is the point of the line
        assert len(naive_tokens(line)) != want
    p = parse_text(line, layout)
    for k in ("method", "path", "protocol", "cluster", "route", "sni", "dla", "dra", "ula", "ua", "rid", "authority", "uhost"):
        if d(p.get(k)) != d(c.get(k)):
            raise AssertionError("round trip %s: %r != %r in %s" % (k, p.get(k), c.get(k), line[:300]))
    if p["code"] != c.get("code", 0):
        raise AssertionError("round trip code")
    return p


# --------------------------------------------------------------------------------------
# classification (from rendered content, using the rules stated in the README)
# --------------------------------------------------------------------------------------

EGRESS_GATEWAY_PREFIXES = ("istio-egressgateway.",)


def classify(cluster, route, code, flags, details, uhost):
    if cluster and cluster.endswith(";"):
        cluster = cluster[:-1]
    if cluster and (cluster.startswith("inbound|") or cluster.startswith("InboundPassthroughCluster")):
        return "inbound"
    if cluster == "PassthroughCluster" or route == "allow_any":
        return "passthrough"
    if cluster == "BlackHoleCluster" or route == "block_all":
        return "blocked"
    if cluster is None:
        if code == 502 and details == "direct_response":
            return "blocked"
        if (flags and "UH" in flags.split(",")) or (code == 0 and uhost is None):
            return "blocked"
        raise AssertionError("unclassifiable line without cluster")
    if cluster.startswith("outbound|"):
        host = cluster.split("|", 3)[3]
        if host.endswith(".svc.cluster.local"):
            if host.startswith(EGRESS_GATEWAY_PREFIXES):
                return "allowed"
            return "internal"
        return "allowed"
    raise AssertionError("unknown cluster %r" % cluster)


# --------------------------------------------------------------------------------------
# JSON access-log encodings
# --------------------------------------------------------------------------------------

JSON_KEYS_19 = [
    "start_time", "route_name", "method", "path", "protocol", "response_code", "response_flags",
    "response_code_details", "connection_termination_details", "bytes_received", "bytes_sent", "duration",
    "upstream_service_time", "x_forwarded_for", "user_agent", "request_id", "authority", "upstream_host",
    "upstream_cluster", "upstream_local_address", "downstream_local_address", "downstream_remote_address",
    "requested_server_name", "upstream_transport_failure_reason",
]
JSON_KEYS_13 = [
    "start_time", "method", "path", "protocol", "response_code", "response_flags", "bytes_received",
    "bytes_sent", "duration", "upstream_service_time", "x_forwarded_for", "user_agent", "request_id",
    "authority", "upstream_host", "upstream_cluster", "upstream_local_address", "downstream_local_address",
    "downstream_remote_address", "requested_server_name", "istio_policy_status",
    "upstream_transport_failure_reason", "route_name",
]
FIELD_OF = {
    "route_name": "route", "method": "method", "path": "path", "protocol": "protocol", "response_code": "code",
    "response_flags": "flags", "response_code_details": "details", "connection_termination_details": "term",
    "bytes_received": "rx", "bytes_sent": "tx", "duration": "dur", "upstream_service_time": "ust",
    "x_forwarded_for": "xff", "user_agent": "ua", "request_id": "rid", "authority": "authority",
    "upstream_host": "uhost", "upstream_cluster": "cluster", "upstream_local_address": "ula",
    "downstream_local_address": "dla", "downstream_remote_address": "dra", "requested_server_name": "sni",
    "upstream_transport_failure_reason": "utfr", "istio_policy_status": "mixer",
}
assert len(JSON_KEYS_19) == 24 and len(JSON_KEYS_13) == 23


def render_json_typed(c, rng):
    """Istio 1.9+ default JSON (json_format): numbers for code/bytes/duration, null when unset,
    "-" for empty response_flags, upstream_service_time a string (it is a response header)."""
    obj = {}
    for k in JSON_KEYS_19:
        if k == "start_time":
            obj[k] = fmt_envoy(c["start"])
            continue
        v = c.get(FIELD_OF[k])
        if k in ("response_code", "bytes_received", "bytes_sent", "duration"):
            obj[k] = int(v or 0)
        elif k == "response_flags":
            obj[k] = v if v else "-"
        elif k == "upstream_service_time":
            obj[k] = None if v is None else str(v)
        else:
            obj[k] = v
    keys = list(obj)
    rng.shuffle(keys)
    return json.dumps(OrderedDict((k, obj[k]) for k in keys), separators=(",", ":"))


def render_json_strings(c, rng):
    """Istio 1.3-era JSON: every value a string, "-" when unset, with istio_policy_status."""
    obj = {}
    for k in JSON_KEYS_13:
        if k == "start_time":
            obj[k] = fmt_envoy(c["start"])
        else:
            v = c.get(FIELD_OF[k])
            if k in ("response_code", "bytes_received", "bytes_sent", "duration"):
                v = int(v or 0)
            obj[k] = d(v)
    keys = list(obj)
    rng.shuffle(keys)
    return json.dumps(OrderedDict((k, obj[k]) for k in keys), separators=(",", ":"))


def check_json(line, c, typed):
    o = json.loads(line)
    keys = JSON_KEYS_19 if typed else JSON_KEYS_13
    assert sorted(o) == sorted(keys), sorted(set(o) ^ set(keys))
    for k, v in o.items():
        if typed:
            if k in ("response_code", "bytes_received", "bytes_sent", "duration"):
                assert isinstance(v, int), (k, v)
            else:
                assert v is None or isinstance(v, str), (k, v)
        else:
            assert isinstance(v, str), (k, v)
    norm = {k: (None if v in (None, "-") else v) for k, v in o.items()}
    return {
        "cluster": norm["upstream_cluster"], "route": norm["route_name"], "code": int(o["response_code"]),
        "flags": norm["response_flags"], "details": norm.get("response_code_details"),
        "uhost": norm["upstream_host"],
    }


# --------------------------------------------------------------------------------------
# per-file bookkeeping
# --------------------------------------------------------------------------------------

VERDICTS = ["allowed", "passthrough", "blocked", "internal"]


class Sink:
    """Collects records for one output file and counts them."""

    def __init__(self, name):
        self.name = name
        self.records = []  # (emit_ns, order_ns, seq, kind, payload, extra)
        self.seq = 0
        # Envoy flushes its file access log every 1000 ms (--file-flush-interval-msec 1000);
        # each sink gets a fixed phase for that timer.
        self.phase = random.Random("%s/flush/%s" % (SEED, name)).randrange(SEC)

    def add(self, emit_ns, kind, payload, extra=None, order_ns=None):
        """emit_ns: when the line reaches the container runtime; order_ns: tie-break within a flush."""
        self.seq += 1
        self.records.append((emit_ns, emit_ns if order_ns is None else order_ns, self.seq, kind, payload, extra or {}))

    def flush_tick(self, end_ns):
        return ((end_ns - self.phase) // SEC + 1) * SEC + self.phase

    def sorted(self):
        return [(r[0], r[2], r[3], r[4], r[5]) for r in sorted(self.records, key=lambda r: (r[0], r[1], r[2]))]

    def counts(self):
        c = OrderedDict([("access", 0), ("inbound", 0)] + [(v, 0) for v in VERDICTS] + [("agent", 0), ("nonproxy", 0)])
        for _, _, _, kind, _, extra in self.records:
            if kind == "access":
                c["access"] += 1
                c[extra["verdict"]] += 1
            else:
                c[kind] += 1
        return c


def add_access(sink, c, layout, end_ns, encoding="text", rng=None, extra=None):
    """Render a call, verify it, classify it from the rendered bytes, store it."""
    if encoding == "text":
        line = render_text(c, layout)
        p = check_text(line, layout, c)
        verdict = classify(p["cluster"], p["route"], p["code"], p["flags"], p.get("details"), p["uhost"])
    else:
        typed = encoding == "json-typed"
        line = (render_json_typed if typed else render_json_strings)(c, rng)
        p = check_json(line, c, typed)
        verdict = classify(p["cluster"], p["route"], p["code"], p["flags"], p["details"], p["uhost"])
    if verdict != c["intent"]:
        raise AssertionError("%s: intended %s, classified %s: %s" % (sink.name, c["intent"], verdict, line[:300]))
    e = {"verdict": verdict}
    e.update(extra or {})
    sink.add(sink.flush_tick(end_ns), "access", line, e, order_ns=end_ns)
    return line


def factors(n):
    out, p = [], 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    if n > 1:
        out.append(n)
    return out


UA_DESKTOP = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
]
UA_MOBILE = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
]

# ======================================================================================
# 1. CRI (containerd) — challengeistio / jscalcbackend-egress-v1 — Istio 1.23+ layout
# ======================================================================================

CHALLENGE_POD = "jscalcbackend-egress-v1-7c9d8f6b5d-q4x2m"
CHALLENGE_UID = "0f6c2a1e-5b7d-4e3a-9c1f-2d8e4b6a7c90"
CHALLENGE_IP = "10.244.1.17"
FRONTEND_IP = "10.244.0.23"
HTTPBIN_IPS = ["3.230.204.70", "34.227.213.82", "54.204.25.22", "52.206.94.34"]
CRI_MAX = 16384  # containerd max_container_log_line_size default


def gen_cri(out_dir):
    rng = rng_for("cri-challengeistio")
    sink = Sink("cri")
    sni_in = "invalid:outbound_.80_.v4_.calcbackendsvc.challengeistio.svc.cluster.local"

    def agent(ns, level, scope, msg, stream="stdout"):
        text = "%s\t%s\t%s%s" % (fmt_agent(ns), level, (scope + "\t") if scope else "", msg)
        sink.add(ns + 35_000, "agent", text, {"stream": stream})

    t = at(23, 9, 0, 0, 412)
    flags = [
        ("concurrency", "2"), ("domain", "challengeistio.svc.cluster.local"), ("help", "false"),
        ("log_as_json", "false"), ("log_caller", ""), ("log_output_level", "default:info"),
        ("log_stacktrace_level", "default:none"), ("log_target", "[stdout]"),
        ("meshConfig", "./etc/istio/config/mesh"), ("outlierLogPath", ""), ("profiling", "true"),
        ("proxyComponentLogLevel", "misc:error"), ("proxyLogLevel", "warning"),
        ("serviceCluster", "istio-proxy"), ("stsPort", "0"), ("templateFile", ""), ("tokenManagerPlugin", ""),
        ("vklog", "0"),
    ]
    for k, v in flags:
        t += rng.randint(2, 30) * 1000
        agent(t, "info", "", 'FLAG: --%s="%s"' % (k, v))
    t += 3 * MS
    agent(t, "info", "", "Version 1.24.2-5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b-Clean")
    t += 2 * MS
    agent(t, "info", "", 'Maximum file descriptors (ulimit -n): 1048576')
    t += 40 * MS
    agent(t, "info", "", "Proxy role\tips=[%s] type=sidecar id=%s.challengeistio domain=challengeistio.svc.cluster.local" % (CHALLENGE_IP, CHALLENGE_POD))
    t += 5 * MS
    agent(t, "info", "", "Opening status port 15020")
    t += 9 * MS
    agent(t, "info", "xdsproxy", 'Initializing with upstream address "istiod.istio-system.svc:15012" and cluster "Kubernetes"')
    t += 2 * MS
    agent(t, "info", "", "Pilot SAN: [istiod.istio-system.svc]")
    t += 3 * MS
    agent(t, "info", "", "Starting proxy agent")
    t += 1 * MS
    agent(t, "info", "sds", "Starting SDS grpc server")
    t += 230 * MS
    # Istio's Envoy --log-format: %Y-%m-%dT%T.%fZ\t%l\tenvoy %n %g:%#\t%v\tthread=%t (Envoy logs to stderr)
    agent(t, "info", "envoy main external/envoy/source/server/server.cc:437", "initializing epoch 0 (base id=0, hot restart version=disabled)\tthread=15", stream="stderr")
    t = at(23, 9, 0, 1, 0)
    agent(t, "info", "xdsproxy", "connected to upstream XDS server: istiod.istio-system.svc:15012")
    t += 38 * MS
    agent(t, "info", "ads", "ADS: new connection for node:%s.challengeistio-1" % CHALLENGE_POD)
    t += 61 * MS
    agent(t, "info", "cache", "generated new workload certificate\tresourceName=default latency=97.611392ms ttl=23h59m59.102928718s")
    t += 1 * MS
    agent(t, "info", "cache", "Root cert has changed, start rotating root cert")
    t += 1 * MS
    agent(t, "info", "ads", "SDS: PUSH request for node:%s.challengeistio resources:1 size:4.0kB resource:default" % CHALLENGE_POD)
    t += 1 * MS
    agent(t, "info", "ads", "SDS: PUSH request for node:%s.challengeistio resources:1 size:1.1kB resource:ROOTCA" % CHALLENGE_POD)
    t = at(23, 9, 0, 2, 118)
    agent(t, "info", "", "Readiness succeeded in 1.706193311s")
    agent(t + 90_000, "info", "", "Envoy proxy is ready")
    # a routine xDS stream recycle half-way through
    t = at(23, 9, 30, 1, 207)
    agent(t, "warn", "xdsproxy", 'upstream [1] terminated with unexpected error rpc error: code = Unavailable desc = closing transport due to: connection error: desc = "error reading from server: EOF", received prior goaway: code: NO_ERROR')
    agent(t + 12 * MS, "info", "xdsproxy", "connected to upstream XDS server: istiod.istio-system.svc:15012\tid=2")
    agent(t + 14 * MS, "info", "ads", "ADS: new connection for node:%s.challengeistio-2" % CHALLENGE_POD)

    # --- traffic: every call the frontend sends to subset v4 lands here and triggers
    #     one POST https://httpbin.org/post from the app (axios, new TCP connection each time)
    times = []
    t = at(23, 9, 4, 17, 0)
    while t < at(23, 9, 59, 20):
        times.append(t + rng.randint(0, 999) * MS)
        t += rng.randint(45, 110) * SEC
    t = at(23, 10, 0, 41, 0)
    while t < at(23, 10, 58, 0):
        times.append(t + rng.randint(0, 999) * MS)
        t += rng.randint(45, 110) * SEC
    se_applied = at(23, 10, 0, 0)
    n_allowed = sum(1 for x in times if x >= se_applied)
    allowed_dla = HTTPBIN_IPS[:] + [rng.choice(HTTPBIN_IPS) for _ in range(n_allowed - len(HTTPBIN_IPS))]
    # keep the first few in a shuffled order but guarantee every IP shows up as DLA
    first = allowed_dla[:4]
    rng.shuffle(first)
    allowed_dla = first + allowed_dla[4:]
    evil_at = len(times) - 9
    ai = 0
    for idx, t0 in enumerate(times):
        blocked = t0 < se_applied
        ua = rng.choice(UA_DESKTOP)
        intent_evil = idx == evil_at
        if intent_evil:
            ua = 'Mozilla/5.0 "evil" (X11)'
        rid = rng.uuid4()
        number = rng.randint(1000, 99999)
        out_start = t0 + rng.randint(2, 6) * MS + rng.randint(0, 999) * 1000
        if blocked:
            out_dur = rng.choice([0, 0, 1, 1, 2, 3, 7])
            dla = rng.choice(HTTPBIN_IPS)
            out = dict(start=out_start, code=0, flags="UH", rx=0, tx=0, dur=out_dur, cluster="BlackHoleCluster",
                       dla="%s:443" % dla, dra="%s:%d" % (CHALLENGE_IP, rng.port()), intent="blocked")
            body = "Failed to call httpbin resource. Adjust egress rules!"
            code = 500
        else:
            out_dur = rng.randint(118, 460)
            dla = allowed_dla[ai]
            ai += 1
            uh = dla if rng.random() < 0.4 else rng.choice(HTTPBIN_IPS)
            out = dict(start=out_start, code=0, rx=rng.randint(676, 768), tx=rng.randint(5318, 5702), dur=out_dur,
                       uhost="%s:443" % uh, cluster="outbound|443||httpbin.org",
                       ula="%s:%d" % (CHALLENGE_IP, rng.port()), dla="%s:443" % dla,
                       dra="%s:%d" % (CHALLENGE_IP, rng.port()), sni="httpbin.org", intent="allowed")
            body = ",".join(str(x) for x in factors(number))
            code = 200
        out_end = out_start + out_dur * MS + rng.randint(0, 999) * 1000
        add_access(sink, out, "1.9", out_end)
        in_dur = (out_end - t0) // MS + rng.randint(2, 9)
        inbound = dict(start=t0, method="POST", path="/api/calculation", protocol="HTTP/1.1", code=code,
                       details="via_upstream", rx=0, tx=len(body), dur=in_dur, ust=in_dur - rng.randint(0, 1),
                       ua=ua, rid=rid, authority="calcbackendsvc", uhost="%s:80" % CHALLENGE_IP,
                       cluster="inbound|80||", ula="127.0.0.6:%d" % rng.port(), dla="%s:80" % CHALLENGE_IP,
                       dra="%s:%d" % (FRONTEND_IP, rng.port()), sni=sni_in, route="default", intent="inbound",
                       quote_injection=intent_evil)
        add_access(sink, inbound, "1.9", t0 + in_dur * MS, extra={"evil": intent_evil})

    # one very long inbound request line (query string > 32 KiB) that containerd must split
    t0 = at(23, 10, 21, 7, 311)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    blob = "".join(rng.choice(alphabet) for _ in range(36000))
    long_req = dict(start=t0, method="GET", path="/api/calculation?number=42&session=" + blob, protocol="HTTP/1.1",
                    code=404, details="via_upstream", rx=0, tx=155, dur=3, ust=2, ua=UA_DESKTOP[2],
                    rid=rng.uuid4(), authority="calcbackendsvc", uhost="%s:80" % CHALLENGE_IP,
                    cluster="inbound|80||", ula="127.0.0.6:%d" % rng.port(), dla="%s:80" % CHALLENGE_IP,
                    dra="%s:%d" % (FRONTEND_IP, rng.port()), sni=sni_in, route="default", intent="inbound")
    add_access(sink, long_req, "1.9", t0 + 3 * MS, extra={"long": True})

    # --- write CRI records
    lines = []
    physical_long = 0
    last = 0
    for emit, _, kind, payload, extra in sink.sorted():
        # containerd stamps each record with time.Now() when it reads it from the pipe
        emit = max(emit + rng.randint(0, 999), last + rng.randint(1_000, 40_000))
        last = emit
        stream = extra.get("stream", "stdout")
        data = payload.encode()
        if len(data) + 1 > CRI_MAX:
            # containerd reads at most 16 KiB at a time; every chunk but the last is a P record,
            # kubelet trims the newline of the F record only (P records never had one).
            chunks = [data[i:i + CRI_MAX] for i in range(0, len(data), CRI_MAX)]
            for n, ch in enumerate(chunks):
                tag = "F" if n == len(chunks) - 1 else "P"
                ts = emit + n * rng.randint(3, 9) * 1000
                lines.append("%s %s %s %s" % (fmt_nano(ts), stream, tag, ch.decode()))
            physical_long = len(chunks)
            last = emit + len(chunks) * 10_000
        else:
            lines.append("%s %s F %s" % (fmt_nano(emit), stream, payload))
    path = os.path.join(out_dir, "var/log/pods/challengeistio_%s_%s/istio-proxy/0.log" % (CHALLENGE_POD, CHALLENGE_UID))
    write_text(path, lines)
    return sink, path, {"physical": len(lines), "long_chunks": physical_long, "long_bytes": len(render_text(long_req, "1.9"))}


# ======================================================================================
# 2. kubectl logs --prefix — challengeistio / calcfrontend-v1 — Istio 1.6 layout
# ======================================================================================

FRONT_POD = "calcfrontend-v1-5f7b9c8d4-h7k2n"
BACKEND_CLUSTER_IP = "10.103.62.215"
BACKEND_PODS = {"v1": ["10.244.1.12", "10.244.2.19"], "v2": ["10.244.2.8"], "v4": [CHALLENGE_IP]}
INGRESS_GW_IP = "10.244.0.5"


def gen_kubectl(out_dir):
    rng = rng_for("kubectl-frontend")
    sink = Sink("kubectl")

    def agent(ns, level, msg):
        sink.add(ns + 35_000, "agent", "%s\t%s\t%s" % (fmt_agent(ns), level, msg))

    t = at(22, 8, 0, 0, 0)
    flags = [
        ("binaryPath", "/usr/local/bin/envoy"), ("concurrency", "2"), ("configPath", "./etc/istio/proxy"),
        ("controlPlaneAuthPolicy", "MUTUAL_TLS"), ("customConfigFile", ""), ("discoveryAddress", "istiod.istio-system.svc:15012"),
        ("domain", "challengeistio.svc.cluster.local"), ("drainDuration", "45s"), ("log_as_json", "false"),
        ("log_output_level", "default:info"), ("meshConfig", "./etc/istio/config/mesh"),
        ("parentShutdownDuration", "1m0s"), ("proxyAdminPort", "15000"), ("proxyComponentLogLevel", "misc:error"),
        ("proxyLogLevel", "warning"), ("serviceCluster", "calcfrontend.challengeistio"), ("statusPort", "15020"),
        ("stsPort", "0"), ("templateFile", ""), ("trust-domain", "cluster.local"),
    ]
    for k, v in flags:
        agent(t, "info", 'FLAG: --%s="%s"' % (k, v))
        t += rng.randint(3, 40) * 1000
    t += 2 * MS
    agent(t, "info", "Version 1.6.14-f508fdd78eb0d3444e2bc2b3f3e4a4c4d8c8e1a1-Clean")
    t += 1 * MS
    agent(t, "info", "Obtained private IP [%s]" % FRONTEND_IP)
    t += 1 * MS
    agent(t, "info", "JWT policy is third-party-jwt")
    t += 2 * MS
    agent(t, "info", 'PilotSAN []string{"istiod.istio-system.svc"}')
    t += 1 * MS
    agent(t, "info", 'MixerSAN []string{"spiffe://cluster.local/ns/istio-system/sa/istio-mixer-service-account"}')
    t += 1 * MS
    agent(t, "info", "sa.serverOptions.CAEndpoint == istiod.istio-system.svc:15012")
    t += 1 * MS
    agent(t, "info", "Using user-configured CA istiod.istio-system.svc:15012")
    t += 2 * MS
    agent(t, "info", "Starting proxy agent")
    t += 1 * MS
    agent(t, "info", "Opening status port 15020")
    t += 1 * MS
    agent(t, "info", "Received new config, creating new Envoy epoch 0")
    t += 1 * MS
    agent(t, "info", "Epoch 0 starting")
    t += 11 * MS
    # the Envoy command line carries Istio's envoy --log-format, which contains literal tabs
    agent(t, "info", "Envoy command: [-c etc/istio/proxy/envoy-rev0.json --restart-epoch 0 --drain-time-s 45 "
                     "--parent-shutdown-time-s 60 --service-cluster calcfrontend.challengeistio --service-node "
                     "sidecar~%s~%s.challengeistio~challengeistio.svc.cluster.local --max-obj-name-len 189 "
                     "--local-address-ip-version v4 --log-format %%Y-%%m-%%dT%%T.%%fZ\t%%l\tenvoy %%n\t%%v -l warning "
                     "--component-log-level misc:error --concurrency 2]" % (FRONTEND_IP, FRONT_POD))
    t += 180 * MS
    agent(t, "info", "sds\tresource:default new connection")
    agent(t + 1 * MS, "info", "sds\tSkipping waiting for gateway secret")
    t += 102 * MS
    agent(t, "info", "cache\tRoot cert has changed, start rotating root cert for SDS clients")
    agent(t + 1 * MS, "info", "cache\tGenerateSecret default")
    agent(t + 2 * MS, "info", "sds\tresource:default pushed key/cert pair to proxy")
    agent(t + 3 * MS, "info", "sds\tresource:ROOTCA new connection")
    agent(t + 4 * MS, "info", "sds\tresource:ROOTCA pushed root cert to proxy")
    t = at(22, 8, 0, 1, 904)
    agent(t, "info", "Envoy proxy is ready")
    t = at(22, 8, 29, 58, 611)
    agent(t, "warning", "envoy config\t[bazel-out/k8-opt/bin/external/envoy/source/common/config/_virtual_includes/grpc_stream_lib/common/config/grpc_stream.h:92] StreamAggregatedResources gRPC config stream closed: 13, ")

    # --- traffic
    t = at(22, 8, 1, 12, 0)
    passthrough_tls = ["13.69.65.22", "51.144.56.112", "13.69.65.23"]
    ipify = ["104.26.12.205", "104.26.13.205", "172.67.74.152"]
    n = 0
    while t < at(22, 8, 52, 0):
        n += 1
        t += rng.randint(15, 70) * SEC + rng.randint(0, 999) * MS
        # page load: GET / (inbound only)
        if rng.random() < 0.3:
            d0 = rng.randint(2, 9)
            page = dict(start=t, method="GET", path="/", protocol="HTTP/1.1", code=200, mixer=None, rx=0,
                        tx=rng.choice([2871, 2871, 2903]), dur=d0, ust=d0 - 1, xff="198.51.100.%d" % rng.randint(2, 250),
                        ua=rng.choice(UA_DESKTOP + UA_MOBILE), rid=rng.uuid4(), authority="calc.example.com",
                        uhost="127.0.0.1:80", cluster="inbound|80|http|calcfrontendsvc.challengeistio.svc.cluster.local",
                        ula="127.0.0.1:%d" % rng.port(), dla="%s:80" % FRONTEND_IP, dra="%s:%d" % (INGRESS_GW_IP, rng.port()),
                        sni="outbound_.80_._.calcfrontendsvc.challengeistio.svc.cluster.local", route="default", intent="inbound")
            add_access(sink, page, "1.6", t + d0 * MS)
            t += rng.randint(800, 4000) * MS
        mobile = rng.random() < 0.3
        ua = rng.choice(UA_MOBILE if mobile else UA_DESKTOP)
        subset = "v2" if mobile else rng.choice(["v1", "v4"])
        client = "198.51.100.%d" % rng.randint(2, 250)
        rid = rng.uuid4()
        number = rng.randint(1000, 99999)
        body = ",".join(str(x) for x in factors(number))
        o_start = t + rng.randint(1, 3) * MS
        o_dur = rng.randint(180, 420) if subset == "v4" else rng.randint(3, 28)
        out = dict(start=o_start, method="POST", path="/api/calculation", protocol="HTTP/1.1", code=200, rx=0,
                   tx=len(body), dur=o_dur, ust=o_dur - rng.randint(0, 1), ua=ua, rid=rid,
                   authority="calcbackendsvc" if rng.random() < 0.8 else "calcbackendsvc:80",
                   uhost="%s:80" % rng.choice(BACKEND_PODS[subset]),
                   cluster="outbound|80|%s|calcbackendsvc.challengeistio.svc.cluster.local" % subset,
                   ula="%s:%d" % (FRONTEND_IP, rng.port()), dla="%s:80" % BACKEND_CLUSTER_IP,
                   dra="%s:%d" % (FRONTEND_IP, rng.port()), route=None, intent="internal")
        o_end = o_start + o_dur * MS
        add_access(sink, out, "1.6", o_end)
        i_dur = (o_end - t) // MS + rng.randint(1, 4)
        inb = dict(start=t, method="POST", path="/api/calculation", protocol="HTTP/1.1", code=200, rx=0,
                   tx=len(body), dur=i_dur, ust=i_dur - 1, xff=client, ua=ua, rid=rid, authority="calc.example.com",
                   uhost="127.0.0.1:80", cluster="inbound|80|http|calcfrontendsvc.challengeistio.svc.cluster.local",
                   ula="127.0.0.1:%d" % rng.port(), dla="%s:80" % FRONTEND_IP, dra="%s:%d" % (INGRESS_GW_IP, rng.port()),
                   sni="outbound_.80_._.calcfrontendsvc.challengeistio.svc.cluster.local", route="default", intent="inbound")
        add_access(sink, inb, "1.6", t + i_dur * MS)
        # ALLOW_ANY era: telemetry exporter on 443 to a raw IP, and an ipify lookup over HTTP
        if n % 9 == 4:
            ip = rng.choice(passthrough_tls)
            s = t + rng.randint(5, 30) * SEC
            du = rng.randint(40, 260)
            pt = dict(start=s, code=0, rx=rng.randint(1900, 4200), tx=rng.randint(2900, 6100), dur=du,
                      uhost="%s:443" % ip, cluster="PassthroughCluster", ula="%s:%d" % (FRONTEND_IP, rng.port()),
                      dla="%s:443" % ip, dra="%s:%d" % (FRONTEND_IP, rng.port()), intent="passthrough")
            add_access(sink, pt, "1.6", s + du * MS)
        if n in (3, 17):
            ip = rng.choice(ipify)
            s = t + rng.randint(5, 30) * SEC
            du = rng.randint(30, 90)
            hp = dict(start=s, method="GET", path="/?format=json", protocol="HTTP/1.1", code=200, rx=0, tx=24,
                      dur=du, ust=du - 1, ua="axios/0.19.2", rid=rng.uuid4(), authority="api.ipify.org",
                      uhost="%s:80" % ip, cluster="PassthroughCluster", ula="%s:%d" % (FRONTEND_IP, rng.port()),
                      dla="%s:80" % ip, dra="%s:%d" % (FRONTEND_IP, rng.port()), route="allow_any", intent="passthrough")
            add_access(sink, hp, "1.6", s + du * MS)

    prefix = "[pod/%s/istio-proxy] " % FRONT_POD
    lines = [prefix + payload for _, _, _, payload, _ in sink.sorted()]
    path = os.path.join(out_dir, "kubectl/challengeistio-frontend.log")
    write_text(path, lines)
    return sink, path, {"physical": len(lines)}


# ======================================================================================
# 3. JSON — payments/checkout (typed, Istio 1.11) and billing (string-typed, Istio 1.3)
# ======================================================================================

CHECKOUT_IP = "10.244.2.31"
STRIPE_IPS = ["54.187.174.169", "54.187.205.235", "54.187.216.72"]
ORDERS_CLUSTER_IP = "10.104.18.77"
ORDERS_PODS = ["10.244.3.22", "10.244.1.35"]
SHOP_FRONT_IP = "10.244.1.40"


def gen_json(out_dir):
    rng = rng_for("json-payments")
    sink = Sink("json-typed")
    # one pilot-agent line (with --log_as_json) at the top
    t = at(23, 9, 0, 0, 0)
    sink.add(t, "agent", json.dumps(OrderedDict([
        ("level", "info"), ("time", fmt_agent(t)), ("scope", "xdsproxy"),
        ("msg", "connected to upstream XDS server: istiod.istio-system.svc:15012")]), separators=(",", ":")))

    blocked_tls = ["35.186.247.156", "34.120.195.249"]
    slack_ips = ["52.1.143.206", "3.220.31.231"]
    t = at(23, 9, 0, 20, 0)
    n = 0
    while t < at(23, 9, 31, 0):
        n += 1
        t += rng.randint(20, 75) * SEC + rng.randint(0, 999) * MS
        # inbound: POST /checkout from the shop front-end
        rid = rng.uuid4()
        i_start = t
        # orders lookup (in-mesh)
        o1s = t + rng.randint(1, 4) * MS
        o1d = rng.randint(4, 25)
        cart = "ord_%s" % "".join(rng.choice("0123456789abcdefghjkmnpqrstvwxyz") for _ in range(14))
        o1 = dict(start=o1s, method="GET", path="/v1/orders/%s" % cart, protocol="HTTP/1.1", code=200, details="via_upstream",
                  rx=0, tx=rng.randint(610, 1480), dur=o1d, ust=o1d - rng.randint(0, 1), ua="Go-http-client/1.1", rid=rid,
                  authority="orders", uhost="%s:8080" % rng.choice(ORDERS_PODS),
                  cluster="outbound|80||orders.payments.svc.cluster.local", ula="%s:%d" % (CHECKOUT_IP, rng.port()),
                  dla="%s:80" % ORDERS_CLUSTER_IP, dra="%s:%d" % (CHECKOUT_IP, rng.port()), route="default", intent="internal")
        add_access(sink, o1, None, o1s + o1d * MS, encoding="json-typed", rng=rng)
        # payment via Stripe (TLS, ServiceEntry "stripe")
        s2 = o1s + (o1d + rng.randint(1, 3)) * MS
        d2 = rng.randint(260, 940)
        dla = rng.choice(STRIPE_IPS)
        st = dict(start=s2, code=0, rx=rng.randint(1240, 3400), tx=rng.randint(4600, 8900), dur=d2,
                  uhost="%s:443" % (dla if rng.random() < 0.5 else rng.choice(STRIPE_IPS)),
                  cluster="outbound|443||api.stripe.com", ula="%s:%d" % (CHECKOUT_IP, rng.port()),
                  dla="%s:443" % dla, dra="%s:%d" % (CHECKOUT_IP, rng.port()), sni="api.stripe.com", intent="allowed")
        add_access(sink, st, None, s2 + d2 * MS, encoding="json-typed", rng=rng)
        # mark the order paid
        s3 = s2 + (d2 + rng.randint(1, 3)) * MS
        d3 = rng.randint(6, 30)
        o2 = dict(start=s3, method="POST", path="/v1/orders/%s/payment" % cart, protocol="HTTP/1.1", code=201,
                  details="via_upstream", rx=rng.randint(180, 260), tx=rng.randint(90, 140), dur=d3, ust=d3 - 1,
                  ua="Go-http-client/1.1", rid=rid, authority="orders", uhost="%s:8080" % rng.choice(ORDERS_PODS),
                  cluster="outbound|80||orders.payments.svc.cluster.local", ula="%s:%d" % (CHECKOUT_IP, rng.port()),
                  dla="%s:80" % ORDERS_CLUSTER_IP, dra="%s:%d" % (CHECKOUT_IP, rng.port()), route="default", intent="internal")
        add_access(sink, o2, None, s3 + d3 * MS, encoding="json-typed", rng=rng)
        i_dur = (s3 - t) // MS + d3 + rng.randint(1, 3)
        inb = dict(start=i_start, method="POST", path="/checkout", protocol="HTTP/1.1", code=200, details="via_upstream",
                   rx=rng.randint(300, 700), tx=rng.randint(120, 200), dur=i_dur, ust=i_dur - 1,
                   xff=None, ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                   rid=rid, authority="checkout.payments.svc.cluster.local", uhost="%s:8080" % CHECKOUT_IP,
                   cluster="inbound|8080||", ula="127.0.0.6:%d" % rng.port(), dla="%s:8080" % CHECKOUT_IP,
                   dra="%s:%d" % (SHOP_FRONT_IP, rng.port()), sni="outbound_.80_._.checkout.payments.svc.cluster.local",
                   route="default", intent="inbound")
        add_access(sink, inb, None, i_start + i_dur * MS, encoding="json-typed", rng=rng)
        # error reporting SDK on 443 without a ServiceEntry -> BlackHole (JSON: cluster null, UH)
        if n % 3 == 1:
            s = t + rng.randint(2, 9) * SEC
            du = rng.choice([0, 1, 1, 2, 5, 8])
            bl = dict(start=s, code=0, flags="UH", rx=0, tx=0, dur=du, dla="%s:443" % rng.choice(blocked_tls),
                      dra="%s:%d" % (CHECKOUT_IP, rng.port()), intent="blocked")
            add_access(sink, bl, None, s + du * MS, encoding="json-typed", rng=rng)
        # Slack webhook over plain HTTP -> 502 block_all
        if n % 6 == 2:
            s = t + rng.randint(2, 9) * SEC
            sl = dict(start=s, method="POST", path="/services/T04AB12CD/B07EF34GH/qZ8xW2vR5tY9uI1oP3aS6dF0",
                      protocol="HTTP/1.1", code=502, details="direct_response", rx=0, tx=0, dur=0,
                      ua="Go-http-client/1.1", rid=rng.uuid4(), authority="hooks.slack.com",
                      dla="%s:80" % rng.choice(slack_ips), dra="%s:%d" % (CHECKOUT_IP, rng.port()),
                      route="block_all", intent="blocked")
            add_access(sink, sl, None, s, encoding="json-typed", rng=rng)

    lines = [p for _, _, _, p, _ in sink.sorted()]
    path = os.path.join(out_dir, "json/payments-checkout.jsonl")
    write_text(path, lines)

    # --- legacy billing: Istio 1.3 string-typed JSON
    rng2 = rng_for("json-billing")
    sink2 = Sink("json-strings")
    bip = "10.244.3.51"
    t = at(23, 8, 59, 58, 120)
    sink2.add(t, "agent", json.dumps(OrderedDict([("level", "info"), ("time", fmt_agent(t)), ("msg", "Envoy proxy is ready")]),
                                     separators=(",", ":")))
    s = at(23, 9, 2, 11, 402)
    a = dict(start=s, code=0, rx=1893, tx=6120, dur=612, uhost="54.187.205.235:443", cluster="outbound|443||api.stripe.com",
             ula="%s:%d" % (bip, rng2.port()), dla="54.187.174.169:443", dra="%s:%d" % (bip, rng2.port()),
             sni="api.stripe.com", intent="allowed")
    add_access(sink2, a, None, s + 612 * MS, encoding="json-strings", rng=rng2)
    s = at(23, 9, 2, 13, 77)
    b = dict(start=s, method="GET", path="/ledger/2026-11", protocol="HTTP/1.1", code=503, flags="UF,URX", rx=0, tx=91,
             dur=31, ua="python-requests/2.22.0", rid=rng2.uuid4(), authority="ledger:8080", uhost="10.244.1.61:8080",
             cluster="outbound|8080||ledger.billing.svc.cluster.local", dla="10.110.7.4:8080",
             dra="%s:%d" % (bip, rng2.port()), route="default", intent="internal")
    add_access(sink2, b, None, s + 31 * MS, encoding="json-strings", rng=rng2)
    s = at(23, 9, 2, 19, 950)
    c = dict(start=s, code=0, rx=2279, tx=3059, dur=63, uhost="151.101.1.195:443", cluster="PassthroughCluster",
             ula="%s:%d" % (bip, rng2.port()), dla="151.101.1.195:443", dra="%s:%d" % (bip, rng2.port()),
             intent="passthrough")
    add_access(sink2, c, None, s + 63 * MS, encoding="json-strings", rng=rng2)
    lines2 = [p for _, _, _, p, _ in sink2.sorted()]
    path2 = os.path.join(out_dir, "json/legacy-billing.jsonl")
    write_text(path2, lines2)
    return (sink, path, {"physical": len(lines)}), (sink2, path2, {"physical": len(lines2)})


# ======================================================================================
# 4. gzip, two members — namespace legacy — Istio 1.8 layout
# ======================================================================================

LEGACY_IP = "10.244.3.14"
GOOGLEAPIS_IPS = ["142.250.74.106", "142.250.185.74", "172.217.16.138", "216.58.212.170"]
CNN_IPS = ["151.101.1.67", "151.101.65.67", "151.101.129.67", "151.101.193.67"]
MAVEN_IPS = ["151.101.36.215", "199.232.192.215"]
EGRESS_GW_IP = "10.244.0.40"


def gen_gzip(out_dir):
    rng = rng_for("gzip-legacy")
    sink = Sink("gzip")
    t = at(23, 9, 0, 3, 221)
    sink.add(t, "agent", "%s\tinfo\txdsproxy\tconnecting to upstream XDS server: istiod.istio-system.svc:15012" % fmt_agent(t))
    t += 41 * MS
    sink.add(t, "agent", "%s\tinfo\txdsproxy\tEnvoy ADS stream established" % fmt_agent(t))

    artifacts = [
        "/maven2/org/apache/commons/commons-lang3/3.12.0/commons-lang3-3.12.0.pom",
        "/maven2/org/apache/commons/commons-lang3/3.12.0/commons-lang3-3.12.0.jar",
        "/maven2/com/google/guava/guava/31.1-jre/guava-31.1-jre.pom",
        "/maven2/org/slf4j/slf4j-api/1.7.36/slf4j-api-1.7.36.pom",
        "/maven2/org/apache/maven/plugins/maven-metadata.xml",
    ]
    maven_ua = "Apache-Maven/3.8.6 (Java 11.0.16; Linux 5.4.0-1089-azure)"
    t = at(23, 9, 1, 0, 0)
    n = 0
    while t < at(23, 9, 39, 0):
        n += 1
        t += rng.randint(25, 80) * SEC + rng.randint(0, 999) * MS
        # inbound report request
        rid = rng.uuid4()
        i_start = t
        # in-mesh call
        s1 = t + 2 * MS
        d1 = rng.randint(5, 40)
        o1 = dict(start=s1, method="GET", path="/api/items?since=2026-11-22", protocol="HTTP/1.1", code=200, rx=0,
                  tx=rng.randint(2200, 9800), dur=d1, ust=d1 - 1, ua="Java/11.0.16", rid=rid, authority="inventory-api:8080",
                  uhost="10.244.2.57:8080", cluster="outbound|8080||inventory-api.legacy.svc.cluster.local",
                  ula="%s:%d" % (LEGACY_IP, rng.port()), dla="10.99.41.12:8080", dra="%s:%d" % (LEGACY_IP, rng.port()),
                  route="default", intent="internal")
        add_access(sink, o1, "1.8", s1 + d1 * MS)
        # upload to Google APIs (TLS ServiceEntry)
        s2 = s1 + (d1 + 3) * MS
        d2 = rng.randint(140, 720)
        dla = rng.choice(GOOGLEAPIS_IPS)
        g = dict(start=s2, code=0, mixer=None, rx=rng.randint(1400, 24000), tx=rng.randint(5200, 7900), dur=d2,
                 uhost="%s:443" % (dla if rng.random() < 0.5 else rng.choice(GOOGLEAPIS_IPS)),
                 cluster="outbound|443||www.googleapis.com", ula="%s:%d" % (LEGACY_IP, rng.port()), dla="%s:443" % dla,
                 dra="%s:%d" % (LEGACY_IP, rng.port()), sni="www.googleapis.com", intent="allowed")
        add_access(sink, g, "1.8", s2 + d2 * MS)
        i_dur = (s2 - t) // MS + d2 + 4
        inb = dict(start=i_start, method="GET", path="/reports/daily", protocol="HTTP/1.1", code=200, rx=0,
                   tx=rng.randint(800, 3000), dur=i_dur, ust=i_dur - 1, ua="curl/7.68.0", rid=rid, authority="reports:8080",
                   uhost="127.0.0.1:8080", cluster="inbound|8080||", ula="127.0.0.1:%d" % rng.port(),
                   dla="%s:8080" % LEGACY_IP, dra="10.244.1.77:%d" % rng.port(),
                   sni="outbound_.8080_._.reports.legacy.svc.cluster.local", route="default", intent="inbound")
        add_access(sink, inb, "1.8", i_start + i_dur * MS)
        # a nightly build step still pointing at http://repo.maven.apache.org -> 502 block_all
        if n in (4, 5):
            for k, art in enumerate(artifacts[:3] if n == 4 else artifacts[3:]):
                s = t + (8 + k) * SEC + rng.randint(0, 400) * MS
                m = dict(start=s, method="GET", path=art, protocol="HTTP/1.1", code=502, rx=0, tx=0, dur=0,
                         ua=maven_ua, rid=rng.uuid4(), authority="repo.maven.apache.org",
                         dla="%s:80" % rng.choice(MAVEN_IPS), dra="%s:%d" % (LEGACY_IP, rng.port()), route="block_all",
                         intent="blocked")
                add_access(sink, m, "1.8", s)
        # news feed fetched through the egress gateway (TLS passthrough, and one plain HTTP)
        if n % 4 == 2:
            s = t + rng.randint(10, 20) * SEC
            du = rng.randint(900, 2400)
            cn = dict(start=s, code=0, rx=rng.randint(780, 940), tx=rng.randint(150000, 1900000), dur=du,
                      uhost="%s:8443" % EGRESS_GW_IP, cluster="outbound|443||istio-egressgateway.istio-system.svc.cluster.local",
                      ula="%s:%d" % (LEGACY_IP, rng.port()), dla="%s:443" % rng.choice(CNN_IPS),
                      dra="%s:%d" % (LEGACY_IP, rng.port()), sni="edition.cnn.com", intent="allowed")
            add_access(sink, cn, "1.8", s + du * MS)
        if n == 7:
            s = t + 14 * SEC
            hh = dict(start=s, method="GET", path="/politics", protocol="HTTP/1.1", code=301, rx=0, tx=0, dur=38, ust=37,
                      ua="curl/7.68.0", rid=rng.uuid4(), authority="edition.cnn.com", uhost="%s:8080" % EGRESS_GW_IP,
                      cluster="outbound|80||istio-egressgateway.istio-system.svc.cluster.local",
                      ula="%s:%d" % (LEGACY_IP, rng.port()), dla="%s:80" % rng.choice(CNN_IPS),
                      dra="%s:%d" % (LEGACY_IP, rng.port()), route=None, intent="allowed")
            add_access(sink, hh, "1.8", s + 38 * MS)

    recs = sink.sorted()
    cut = at(23, 9, 20, 0)
    part1 = [p for e, _, _, p, _ in recs if e < cut]
    part2 = [p for e, _, _, p, _ in recs if e >= cut]
    blob = (gzip.compress(("\n".join(part1) + "\n").encode(), compresslevel=9, mtime=0)
            + gzip.compress(("\n".join(part2) + "\n").encode(), compresslevel=9, mtime=0))
    path = os.path.join(out_dir, "gzip/istio-1.8-legacy.log.gz")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(blob)
    return sink, path, {"physical": len(recs), "members": [len(part1), len(part2)]}


# ======================================================================================
# 5. Docker json-file — bookinfo/reviews-v2 — Istio 1.9-1.22 layout (%UPSTREAM_CLUSTER%)
# ======================================================================================

REVIEWS_POD = "reviews-v2-7d9f8c6b5-abcde"
REVIEWS_IP = "10.244.2.14"
REVIEWS_IP6 = "fd00:10:244::1c"
PRODUCTPAGE_IP = "10.244.1.9"
RATINGS_CLUSTER_IP = "10.98.134.201"
RATINGS_POD = "10.244.1.21"
GITHUB_IPS = ["140.82.121.6", "140.82.112.6", "140.82.113.6", "140.82.114.6"]


def docker_json(payload, stream, ns):
    # Docker's json-file encoder escapes like Go's encoding/json: <, > and & become \u003c \u003e \u0026
    s = json.dumps(payload + "\n", ensure_ascii=False)
    s = s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return '{"log":%s,"stream":"%s","time":"%s"}' % (s, stream, fmt_nano(ns))


def gen_docker(out_dir):
    rng = rng_for("docker-bookinfo")
    sink = Sink("docker")
    container_id = rng.hex64()

    def agent(ns, level, scope, msg, stream="stdout"):
        text = "%s\t%s\t%s%s" % (fmt_agent(ns), level, (scope + "\t") if scope else "", msg)
        sink.add(ns + 35_000, "agent", text, {"stream": stream})

    t = at(23, 9, 30, 0, 104)
    agent(t, "info", "xdsproxy", "connected to delta upstream XDS server: istiod.istio-system.svc:15012\tid=1")
    agent(t + 51 * MS, "info", "ads", "ADS: new delta connection for node:%s.bookinfo-1" % REVIEWS_POD)
    agent(t + 53 * MS, "info", "", "Envoy proxy is ready")

    t = at(23, 9, 30, 4, 0)
    n = 0
    ipv6_left = 3
    while t < at(23, 9, 56, 0):
        n += 1
        t += rng.randint(8, 40) * SEC + rng.randint(0, 999) * MS
        rid = rng.uuid4()
        ua = rng.choice(UA_DESKTOP + UA_MOBILE)
        pid = rng.randint(0, 1)
        s1 = t + rng.randint(1, 3) * MS
        fail = n == 11
        if fail:
            d1 = 30
            r = dict(start=s1, method="GET", path="/ratings/%d" % pid, protocol="HTTP/1.1", code=503, flags="UF,URX",
                     details="upstream_reset_before_response_started{remote_connection_failure,delayed_connect_error:_111}",
                     utfr="delayed connect error: 111", rx=0, tx=91, dur=d1, ua=ua, rid=rid, authority="ratings:9080",
                     uhost="%s:9080" % RATINGS_POD, cluster="outbound|9080||ratings.bookinfo.svc.cluster.local",
                     dla="%s:9080" % RATINGS_CLUSTER_IP, dra="%s:%d" % (REVIEWS_IP, rng.port()), route="default",
                     intent="internal")
        else:
            d1 = rng.randint(2, 14)
            r = dict(start=s1, method="GET", path="/ratings/%d" % pid, protocol="HTTP/1.1", code=200,
                     details="via_upstream", rx=0, tx=48, dur=d1, ust=d1 - rng.randint(0, 1), ua=ua, rid=rid,
                     authority="ratings:9080", uhost="%s:9080" % RATINGS_POD,
                     cluster="outbound|9080||ratings.bookinfo.svc.cluster.local", ula="%s:%d" % (REVIEWS_IP, rng.port()),
                     dla="%s:9080" % RATINGS_CLUSTER_IP, dra="%s:%d" % (REVIEWS_IP, rng.port()), route="default",
                     intent="internal")
        add_access(sink, r, "1.9", s1 + d1 * MS)
        i_dur = d1 + rng.randint(9, 60)
        inb = dict(start=t, method="GET", path="/reviews/%d" % pid, protocol="HTTP/1.1", code=200, details="via_upstream",
                   rx=0, tx=rng.choice([358, 379, 295]) if not fail else 295, dur=i_dur, ust=i_dur - 1, ua=ua, rid=rid,
                   authority="reviews:9080", uhost="%s:9080" % REVIEWS_IP, cluster="inbound|9080||",
                   ula="127.0.0.6:%d" % rng.port(), dla="%s:9080" % REVIEWS_IP, dra="%s:%d" % (PRODUCTPAGE_IP, rng.port()),
                   sni="outbound_.9080_._.reviews.bookinfo.svc.cluster.local", route="default", intent="inbound")
        add_access(sink, inb, "1.9", t + i_dur * MS)
        if n % 3 == 0:
            s = t + rng.randint(3, 7) * SEC
            du = rng.randint(120, 480)
            if ipv6_left and n >= 9:
                v6 = "2001:db8::1a"
                dra_port = 43210 if ipv6_left == 3 else rng.port()
                ipv6_left -= 1
                gh = dict(start=s, code=0, rx=rng.randint(840, 1010), tx=rng.randint(5200, 7400), dur=du,
                          uhost="[%s]:443" % v6, cluster="outbound|443||api.github.com",
                          ula="[%s]:%d" % (REVIEWS_IP6, rng.port()), dla="[%s]:443" % v6,
                          dra="[%s]:%d" % (REVIEWS_IP6, dra_port), sni="api.github.com", intent="allowed")
            else:
                dla = rng.choice(GITHUB_IPS)
                gh = dict(start=s, code=0, rx=rng.randint(840, 1010), tx=rng.randint(5200, 7400), dur=du,
                          uhost="%s:443" % rng.choice(GITHUB_IPS), cluster="outbound|443||api.github.com",
                          ula="%s:%d" % (REVIEWS_IP, rng.port()), dla="%s:443" % dla,
                          dra="%s:%d" % (REVIEWS_IP, rng.port()), sni="api.github.com", intent="allowed")
            add_access(sink, gh, "1.9", s + du * MS)

    # control plane upgraded to 1.23 at the very end: the proxy reconnects and the next line
    # carries the alt_stat_name delimiter ";" because the format still uses %UPSTREAM_CLUSTER%
    t = at(23, 9, 57, 30, 0)
    agent(t, "warn", "xdsproxy", 'upstream [1] terminated with unexpected error rpc error: code = Unavailable desc = error reading from server: EOF')
    agent(t + 2 * MS, "warning", "envoy config external/envoy/source/extensions/config_subscription/grpc/grpc_stream.h:193",
          "DeltaAggregatedResources gRPC config stream to xds-grpc closed since 1650s ago: 14, upstream [1] terminated with "
          "unexpected error rpc error: code = Unavailable desc = error reading from server: EOF\tthread=15", stream="stderr")
    agent(t + 310 * MS, "info", "xdsproxy", "connected to delta upstream XDS server: istiod.istio-system.svc:15012\tid=2")
    s = at(23, 9, 58, 2, 377)
    semi = dict(start=s, code=0, rx=903, tx=6611, dur=211, uhost="140.82.121.6:443", cluster="outbound|443||api.github.com;",
                ula="%s:%d" % (REVIEWS_IP, rng.port()), dla="140.82.112.6:443", dra="%s:%d" % (REVIEWS_IP, rng.port()),
                sni="api.github.com", intent="allowed")
    add_access(sink, semi, "1.9", s + 211 * MS)

    lines = []
    last = 0
    for emit, _, kind, payload, extra in sink.sorted():
        emit = max(emit + rng.randint(0, 999), last + rng.randint(1_000, 40_000))
        last = emit
        lines.append(docker_json(payload, extra.get("stream", "stdout"), emit))
    path = os.path.join(out_dir, "var/log/containers/%s_bookinfo_istio-proxy-%s.log" % (REVIEWS_POD, container_id))
    write_text(path, lines)
    return sink, path, {"physical": len(lines)}


# ======================================================================================
# 6. Fluent Bit (kubernetes filter) — warehouse/inventory — Istio 1.22 layout
# ======================================================================================

INV_POD = "inventory-5c7d8b9f6-m3n4p"
INV_IP = "10.244.2.40"
S3_IPS = ["52.217.160.48", "52.216.222.93", "3.5.28.186"]
SQS_IPS = ["52.94.218.4", "52.94.218.25"]
SNS_IPS = ["52.94.221.87", "52.94.221.120"]
BLOCKED_443 = ["34.149.87.45", "35.190.60.146"]


def gen_fluentbit(out_dir):
    rng = rng_for("fluentbit-warehouse")
    sink = Sink("fluentbit")
    pod_uid = rng.uuid4()
    proxy_id = rng.hex64()
    app_id = rng.hex64()
    proxy_hash = rng.hex64()
    app_hash = rng.hex64()
    labels = OrderedDict([("app", "inventory"), ("pod-template-hash", "5c7d8b9f6"),
                          ("security.istio.io/tlsMode", "istio"), ("service.istio.io/canonical-name", "inventory"),
                          ("service.istio.io/canonical-revision", "v1"), ("version", "v1")])

    def k8s(container):
        proxy = container == "istio-proxy"
        return OrderedDict([
            ("pod_name", INV_POD), ("namespace_name", "warehouse"), ("pod_id", pod_uid), ("labels", labels),
            ("host", "node-2"), ("container_name", container), ("docker_id", proxy_id if proxy else app_id),
            ("container_hash", ("docker.io/istio/proxyv2@sha256:" + proxy_hash) if proxy
             else ("registry.example.com/warehouse/inventory@sha256:" + app_hash)),
            ("container_image", "docker.io/istio/proxyv2:1.22.3" if proxy else "registry.example.com/warehouse/inventory:2.4.1"),
        ])

    t = at(23, 9, 40, 0, 512)
    sink.add(t, "agent", "%s\tinfo\txdsproxy\tconnected to delta upstream XDS server: istiod.istio-system.svc:15012\tid=3" % fmt_agent(t),
             {"container": "istio-proxy"})
    t = at(23, 9, 41, 10, 0)
    sink.add(t, "nonproxy", "2026/11/23 09:41:10 GET /healthz 200 412\u00b5s", {"container": "inventory"})

    mode_switch = at(23, 9, 50, 0)
    sdk_ua = ("aws-sdk-java/1.12.470 Linux/5.15.0-1051-aws OpenJDK_64-Bit_Server_VM/17.0.9+9 java/17.0.9 "
              "vendor/Eclipse_Adoptium cfg/retry-mode/standard")
    t = at(23, 9, 40, 6, 0)
    n = 0
    while t < at(23, 10, 4, 0):
        n += 1
        t += rng.randint(20, 60) * SEC + rng.randint(0, 999) * MS
        allow_any = t < mode_switch
        # SQS polling / SNS publishing through the wildcard ServiceEntry (resolution NONE: upstream == original dst)
        svc, ips = ("sqs", SQS_IPS) if n % 2 else ("sns", SNS_IPS)
        ip = rng.choice(ips)
        du = rng.randint(20100, 20900) if svc == "sqs" else rng.randint(35, 160)
        w = dict(start=t, code=0, rx=rng.randint(1500, 4200), tx=rng.randint(4800, 9600), dur=du, uhost="%s:443" % ip,
                 cluster="outbound|443||*.amazonaws.com", ula="%s:%d" % (INV_IP, rng.port()), dla="%s:443" % ip,
                 dra="%s:%d" % (INV_IP, rng.port()), sni="%s.eu-west-1.amazonaws.com" % svc, intent="allowed")
        add_access(sink, w, "1.9", t + du * MS, extra={"container": "istio-proxy"})
        if n % 2 == 0 or (allow_any and n % 3 == 0):
            s = t + rng.randint(2, 9) * SEC
            key = "/inventory-exports/2026-11-23/stock-%02d%02d.csv" % ((s // SEC // 3600) % 24, (s // SEC // 60) % 60)
            ip = rng.choice(S3_IPS)
            if s < mode_switch:
                du = rng.randint(180, 520)
                up = dict(start=s, method="PUT", path=key, protocol="HTTP/1.1", code=200, details="via_upstream",
                          rx=rng.randint(40000, 52000), tx=0, dur=du, ust=du - 1, ua=sdk_ua, rid=rng.uuid4(),
                          authority="s3.amazonaws.com", uhost="%s:80" % ip, cluster="PassthroughCluster",
                          ula="%s:%d" % (INV_IP, rng.port()), dla="%s:80" % ip, dra="%s:%d" % (INV_IP, rng.port()),
                          route="allow_any", intent="passthrough")
            else:
                du = 0
                up = dict(start=s, method="GET", path="/inventory-config/settings.json", protocol="HTTP/1.1", code=502,
                          details="direct_response", rx=0, tx=0, dur=0, ua=sdk_ua, rid=rng.uuid4(),
                          authority="s3.amazonaws.com", dla="%s:80" % ip, dra="%s:%d" % (INV_IP, rng.port()),
                          route="block_all", intent="blocked")
            add_access(sink, up, "1.9", s + du * MS, extra={"container": "istio-proxy"})
        if not allow_any and n % 3 == 1:
            s = t + rng.randint(10, 19) * SEC
            du = rng.choice([0, 1, 2, 6])
            bl = dict(start=s, code=0, flags="UH", rx=0, tx=0, dur=du, cluster="BlackHoleCluster",
                      dla="%s:443" % rng.choice(BLOCKED_443), dra="%s:%d" % (INV_IP, rng.port()), intent="blocked")
            add_access(sink, bl, "1.9", s + du * MS, extra={"container": "istio-proxy"})

    out = []
    last = 0
    for emit, _, kind, payload, extra in sink.sorted():
        emit = max(emit + rng.randint(0, 999), last + rng.randint(1_000, 40_000))
        last = emit
        rec = OrderedDict([
            ("date", float("%d.%06d" % (emit // SEC, (emit % SEC) // 1000))),
            ("time", fmt_nano9(emit)), ("stream", "stdout"), ("_p", "F"), ("log", payload),
            ("kubernetes", k8s(extra.get("container", "istio-proxy"))),
        ])
        out.append(json.dumps(rec, separators=(",", ":"), ensure_ascii=False))
    path = os.path.join(out_dir, "fluent-bit/istio-proxy-2026-11-23.jsonl")
    write_text(path, out)
    return sink, path, {"physical": len(out)}


# ======================================================================================
# 7/8. ServiceEntries — kubectl List and a multi-document manifest
# ======================================================================================

_YAML_WORDS = {"~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES",
               "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
               ".inf", ".Inf", ".INF", "-.inf", "+.inf", ".nan", ".NaN", ".NAN"}
_YAML_TIMESTAMP = re.compile(r"^\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?$")


def _resolves(s):
    """Would go-yaml v2 read this plain scalar as something other than a string?"""
    if s in _YAML_WORDS or _YAML_TIMESTAMP.match(s):
        return True
    t = s.replace("_", "")
    try:
        int(t, 0)
        return True
    except ValueError:
        pass
    try:
        float(t)
        return t.lower() not in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity")
    except ValueError:
        return False


def yscalar(v):
    """Scalar rendering close to go-yaml v2 as used by kubectl."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    s = str(v)
    if s == "" or _resolves(s):
        return json.dumps(s)
    if s[0] in "*&!|>'\"%@`{}[],#?" or (s[0] in "-:" and (len(s) == 1 or s[1] == " ")) \
            or ": " in s or " #" in s or s != s.strip() or s.endswith(":"):
        return "'" + s.replace("'", "''") + "'"
    return s


def ydump(obj, indent=0):
    """Block-style YAML with sorted keys, sequences not indented under their key (kubectl style)."""
    pad = " " * indent
    lines = []
    if isinstance(obj, dict):
        for k in sorted(obj):
            v = obj[k]
            kk = yscalar(k)
            if isinstance(v, dict):
                if not v:
                    lines.append("%s%s: {}" % (pad, kk))
                else:
                    lines.append("%s%s:" % (pad, kk))
                    lines += ydump(v, indent + 2)
            elif isinstance(v, list):
                if not v:
                    lines.append("%s%s: []" % (pad, kk))
                else:
                    lines.append("%s%s:" % (pad, kk))
                    lines += ydump(v, indent)
            elif isinstance(v, str) and v.endswith("\n") and "\n" in v:
                lines.append("%s%s: |" % (pad, kk))
                for ln in v[:-1].split("\n"):
                    lines.append("%s  %s" % (pad, ln))
            else:
                lines.append("%s%s: %s" % (pad, kk, yscalar(v)))
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, dict) and item:
                sub = ydump(item, indent + 2)
                sub[0] = pad + "- " + sub[0][indent + 2:]
                lines += sub
            elif isinstance(item, list):
                raise ValueError("nested lists not needed")
            else:
                lines.append("%s- %s" % (pad, yscalar(item)))
    return lines


def se_items():
    rng = rng_for("serviceentries")
    V1, V1B1, V1A3 = "networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"
    specs = [
        # (namespace, name, apiVersion, created, spec, generation)
        ("bookinfo", "github", V1, at(23, 9, 20, 14), OrderedDict([
            ("hosts", ["api.github.com"]), ("location", "MESH_EXTERNAL"),
            ("ports", [OrderedDict([("number", 443), ("name", "https"), ("protocol", "HTTPS")]),
                       OrderedDict([("number", 80), ("name", "http"), ("protocol", "HTTP")])]),
            ("resolution", "DNS")]), 1),
        ("challengeistio", "httpbin-ext", V1A3, at(23, 10, 0, 0), OrderedDict([
            ("hosts", ["httpbin.org"]),
            ("ports", [OrderedDict([("number", 443), ("name", "https"), ("protocol", "HTTPS")])]),
            ("resolution", "DNS"), ("location", "MESH_EXTERNAL")]), 1),
        ("istio-system", "cnn", V1B1, at(2, 14, 7, 51), OrderedDict([
            ("hosts", ["edition.cnn.com"]),
            ("ports", [OrderedDict([("number", 80), ("name", "http-port"), ("protocol", "HTTP")]),
                       OrderedDict([("number", 443), ("name", "tls"), ("protocol", "TLS")])]),
            ("resolution", "DNS")]), 1),
        ("legacy", "googleapis", V1B1, at(2, 14, 2, 9), OrderedDict([
            ("hosts", ["www.googleapis.com"]), ("location", "MESH_EXTERNAL"),
            ("ports", [OrderedDict([("number", 443), ("name", "tls"), ("protocol", "TLS")])]),
            ("resolution", "DNS")]), 1),
        ("legacy", "legacy-ftp", V1A3, at(2, 14, 2, 9), OrderedDict([
            ("hosts", ["ftp.example.org"]), ("addresses", ["203.0.113.10/32"]),
            ("ports", [OrderedDict([("number", 21), ("name", "ftp"), ("protocol", "TCP")])]),
            ("location", "MESH_EXTERNAL"), ("resolution", "STATIC"),
            ("endpoints", [OrderedDict([("address", "203.0.113.10")])])]), 1),
        ("payments", "datadog", V1, at(16, 11, 45, 3), OrderedDict([
            ("hosts", ["*.datadoghq.com"]), ("exportTo", ["."]), ("location", "MESH_EXTERNAL"),
            ("ports", [OrderedDict([("number", 443), ("name", "tls"), ("protocol", "TLS")])]),
            ("resolution", "NONE")]), 1),
        ("payments", "stripe", V1, at(16, 11, 44, 57), OrderedDict([
            ("hosts", ["api.stripe.com"]), ("location", "MESH_EXTERNAL"),
            ("ports", [OrderedDict([("number", 443), ("name", "tls"), ("protocol", "TLS")])]),
            ("resolution", "DNS")]), 1),
        ("warehouse", "amazonaws-wildcard", V1, at(9, 8, 31, 40), OrderedDict([
            ("hosts", ["*.amazonaws.com"]), ("location", "MESH_EXTERNAL"),
            ("ports", [OrderedDict([("number", 443), ("name", "tls"), ("protocol", "TLS")])]),
            ("resolution", "NONE")]), 1),
    ]
    items = []
    rv = 48211903
    vip = 0
    for ns, name, api, created, spec, gen in specs:
        rv += rng.randint(1000, 90000)
        last_applied = json.dumps({"apiVersion": api, "kind": "ServiceEntry",
                                   "metadata": {"annotations": {}, "name": name, "namespace": ns},
                                   "spec": spec}, sort_keys=True, separators=(",", ":")) + "\n"
        spec_fields = OrderedDict([(".", {})])
        for k in spec:
            if k == "ports":
                pf = OrderedDict([(".", {})])
                for p in spec["ports"]:
                    pf['k:{"name":"%s"}' % p["name"]] = OrderedDict(
                        [(".", {}), ("f:name", {}), ("f:number", {}), ("f:protocol", {})])
                spec_fields["f:ports"] = pf
            else:
                spec_fields["f:" + k] = {}
        managed = [OrderedDict([
            ("apiVersion", api), ("fieldsType", "FieldsV1"),
            ("fieldsV1", OrderedDict([
                ("f:metadata", {"f:annotations": OrderedDict([(".", {}), ("f:kubectl.kubernetes.io/last-applied-configuration", {})])}),
                ("f:spec", spec_fields)])),
            ("manager", "kubectl-client-side-apply"), ("operation", "Update"), ("time", fmt_k8s(created))])]
        wildcard = any(h.startswith("*") for h in spec["hosts"])
        status = OrderedDict()
        status_fields = OrderedDict([(".", {}), ("f:conditions", {}), ("f:observedGeneration", {})])
        if "addresses" not in spec and not (wildcard and spec.get("resolution", "NONE") == "NONE"):
            addrs = []
            for h in spec["hosts"]:
                vip += 1
                addrs.append(OrderedDict([("host", h), ("value", "240.240.0.%d" % vip)]))
                addrs.append(OrderedDict([("host", h), ("value", "2001:2::f0f0:%x" % vip)]))
            status["addresses"] = addrs
            status_fields["f:addresses"] = {}
        probe = created + rng.randint(300, 2500) * MS
        status["conditions"] = [OrderedDict([
            ("lastProbeTime", fmt_nano(probe)), ("lastTransitionTime", fmt_nano(probe + 371)),
            ("message", "%d/%d proxies up to date." % ((42, 42) if ns != "istio-system" else (57, 57))),
            ("status", "True"), ("type", "Reconciled")])]
        status["observedGeneration"] = str(gen)
        managed.append(OrderedDict([
            ("apiVersion", V1), ("fieldsType", "FieldsV1"), ("fieldsV1", {"f:status": status_fields}),
            ("manager", "pilot-discovery"), ("operation", "Update"), ("subresource", "status"),
            ("time", fmt_k8s(probe))]))
        items.append(OrderedDict([
            ("apiVersion", api), ("kind", "ServiceEntry"),
            ("metadata", OrderedDict([
                ("annotations", {"kubectl.kubernetes.io/last-applied-configuration": last_applied}),
                ("creationTimestamp", fmt_k8s(created)), ("generation", gen), ("managedFields", managed),
                ("name", name), ("namespace", ns), ("resourceVersion", str(rv)), ("uid", rng.uuid4())])),
            ("spec", spec), ("status", status)]))
    return items


def gen_entries(out_dir):
    items = se_items()
    doc = OrderedDict([("apiVersion", "v1"), ("items", items), ("kind", "List"),
                       ("metadata", {"resourceVersion": ""})])
    path = os.path.join(out_dir, "entries/serviceentries.yaml")
    write_text(path, ydump(doc))

    tutorial = """apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata:
  name: httpbin-ext
  namespace: challengeistio
spec:
  hosts:
  - httpbin.org
  ports:
  - number: 443
    name: https
    protocol: HTTPS
  resolution: DNS
  location: MESH_EXTERNAL
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: httpbin-ext
  namespace: challengeistio
spec:
  hosts:
  - httpbin.org
  tls:
  - match:
    - port: 443
      sni_hosts:
      - httpbin.org
    route:
    - destination:
        host: httpbin.org
        port:
          number: 443
      weight: 100
"""
    path2 = os.path.join(out_dir, "entries/httpbin-ext.yaml")
    os.makedirs(os.path.dirname(path2), exist_ok=True)
    with open(path2, "w", newline="\n") as f:
        f.write(tutorial)
    return items, path, path2


# ======================================================================================
# output
# ======================================================================================


def write_text(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for ln in lines:
            f.write(ln + "\n")


README_HEAD = """# sample-logs

Small, deterministic fixtures for `egress-audit`, produced by
`scripts/make-sample-logs.py` (fixed seed, fixed timestamps, no network, Python 3 stdlib only).
Re-run it from the repository root to regenerate every file in this folder, this README included:

    python3 scripts/make-sample-logs.py

Every Envoy text line was checked by the generator against the token count of its Istio layout
(Envoy 13, 1.1 19, 1.2 20, 1.3–1.7 21, 1.8 20, 1.9+ 22 — `[time]`, the request triple and each
`"…"` field count as one token) and parsed back from both ends; every access line, text or JSON,
was re-classified from its rendered bytes with the rules below and had to match what the generator
intended. All times are UTC.

## How the counts are defined

* **physical lines** = newline-terminated lines in the file (for the `.gz`, after inflating both members).
* **records** are logical lines after unwrapping: a CRI `P`…`P` `F` run counts once.
* **access** = Envoy access-log lines (text or JSON). **inbound** = cluster `inbound|…`.
  The outbound access lines split into:
  * **allowed** — cluster `outbound|<port>|<subset>|<host>` whose host is not under `.svc.cluster.local`
    (a ServiceEntry matched; a trailing `;` on the cluster is stripped first), or whose host is the egress
    gateway (`istio-egressgateway.istio-system.svc.cluster.local`);
  * **passthrough** — cluster `PassthroughCluster` or route `allow_any`;
  * **blocked** — cluster `BlackHoleCluster`; or HTTP `502` `direct_response` with route `block_all` and cluster `-`/null;
    or (JSON) flag `UH`, `response_code` 0, `upstream_cluster` null and no upstream host;
  * **internal** — any other `outbound|…|<host>.svc.cluster.local` cluster.
  So `access = inbound + allowed + passthrough + blocked + internal`.
* **agent** = other lines printed by the `istio-proxy` container (pilot-agent and Envoy's own log,
  text or JSON, stdout or stderr). **non-proxy** = records from a different container.

## Expected counts
"""


def readme(results):
    out = [README_HEAD]
    hdr = ("| file | physical lines | records | access | inbound | allowed | passthrough | blocked | internal "
           "| agent/other | non-proxy |")
    out.append(hdr)
    out.append("|" + "---|" * 11)
    tot = OrderedDict()
    for rel, sink, meta in results:
        c = sink.counts()
        recs = sum(c[k] for k in ("access", "agent", "nonproxy"))
        row = [meta["physical"], recs, c["access"], c["inbound"], c["allowed"], c["passthrough"], c["blocked"], c["internal"], c["agent"], c["nonproxy"]]
        for i, v in enumerate(row):
            tot[i] = tot.get(i, 0) + v
        out.append("| `%s` | %s |" % (rel, " | ".join(str(v) for v in row)))
    out.append("| **total** | %s |" % " | ".join("**%d**" % tot[i] for i in range(len(tot))))
    out.append("")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(os.path.dirname(here), "sample-logs"))
    args = ap.parse_args()
    out_dir = args.out
    os.makedirs(out_dir, exist_ok=True)

    results = []

    def rel(p):
        return os.path.relpath(p, out_dir)

    s1, p1, m1 = gen_cri(out_dir)
    results.append((rel(p1), s1, m1))
    s2, p2, m2 = gen_kubectl(out_dir)
    results.append((rel(p2), s2, m2))
    (s3, p3, m3), (s3b, p3b, m3b) = gen_json(out_dir)
    results.append((rel(p3), s3, m3))
    results.append((rel(p3b), s3b, m3b))
    s4, p4, m4 = gen_gzip(out_dir)
    results.append((rel(p4), s4, m4))
    s5, p5, m5 = gen_docker(out_dir)
    results.append((rel(p5), s5, m5))
    s6, p6, m6 = gen_fluentbit(out_dir)
    results.append((rel(p6), s6, m6))
    items, p7, p8 = gen_entries(out_dir)

    write_readme(out_dir, results, items)

    # console summary
    print("%-110s %6s %6s %7s %7s %6s %7s %8s %5s %5s" % (
        "file", "recs", "access", "inbound", "allowed", "pass", "blocked", "internal", "agent", "nonpx"))
    for r, sink, meta in results:
        c = sink.counts()
        recs = c["access"] + c["agent"] + c["nonproxy"]
        print("%-110s %6d %6d %7d %7d %6d %7d %8d %5d %5d" % (
            r, recs, c["access"], c["inbound"], c["allowed"], c["passthrough"], c["blocked"], c["internal"],
            c["agent"], c["nonproxy"]))
    print("entries: %d ServiceEntries in %s, plus %s" % (len(items), rel(p7), rel(p8)))
    total = 0
    for root, _, files in os.walk(out_dir):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    print("total size: %d bytes" % total)


def write_readme(out_dir, results, items):
    lines = readme(results)
    by = {r: (s, m) for r, s, m in results}

    def counts(rel_prefix):
        for r, (s, m) in by.items():
            if r.startswith(rel_prefix):
                return s.counts(), m, r
        raise KeyError(rel_prefix)

    c1, m1, r1 = counts("var/log/pods/")
    c2, m2, r2 = counts("kubectl/")
    c3, m3, r3 = counts("json/payments")
    c3b, m3b, r3b = counts("json/legacy")
    c4, m4, r4 = counts("gzip/")
    c5, m5, r5 = counts("var/log/containers/")
    c6, m6, r6 = counts("fluent-bit/")

    sec = []
    sec.append("""## Files

### `%(r1)s`

* **Wrapper:** CRI / containerd (`<RFC3339Nano> <stream> <P|F> <payload>`; containerd trims trailing zeros
  of the fraction, so some timestamps have fewer than 9 digits). Namespace `challengeistio`, pod
  `jscalcbackend-egress-v1-7c9d8f6b5d-q4x2m` (pod IP `10.244.1.17`, labels `app=backend`, `version=v4`),
  container `istio-proxy` — all from the path.
* **Layout:** Istio 1.23+ text (22 tokens, `%%UPSTREAM_CLUSTER_RAW%%`); proxy 1.24.2, so inbound SNIs carry
  Envoy's `invalid:` prefix (`invalid:outbound_.80_.v4_.calcbackendsvc.challengeistio.svc.cluster.local`).
* **Story (the tutorial):** the frontend sends `POST /api/calculation` (subset `v4` of `calcbackendsvc`,
  VirtualService `backend-vs`); each one makes the app call `https://httpbin.org/post`.
  Until 10:00 the mesh is `REGISTRY_ONLY` and `httpbin-ext` does not exist: every call is a `BlackHoleCluster`
  `UH` line that only names an IP (`3.230.204.70`, `34.227.213.82`, `54.204.25.22`, `52.206.94.34` on 443)
  and the app answers 500 ("Failed to call httpbin resource. Adjust egress rules!", 53 bytes).
  At 10:00:00 the `httpbin-ext` ServiceEntry is applied (its `creationTimestamp`); from 10:00:41 every call is
  `outbound|443||httpbin.org` with SNI `httpbin.org` and the app answers 200 with the prime factors.
  Every IP seen in a blocked line also appears as `downstream_local_address` of at least one allowed line
  (SNI `httpbin.org`), so the blocked IPs can be named `httpbin.org` by evidence.
  Upstream host and dialed IP differ on some allowed lines (resolution `DNS`: Envoy resolves on its own).
* **Edge cases:** one inbound line whose user agent is `Mozilla/5.0 "evil" (X11)` (unescaped quotes — a naive
  quote tokenizer sees 23 tokens); one inbound `GET /api/calculation?number=42&session=…` line of %(long)d bytes,
  written by containerd as %(chunks)d CRI records (`P`, `P`, `F`, 16384 bytes of content each but the last)
  which concatenate to the original line; pilot-agent lines (tab separated, some with `key=value` tails) on
  stdout and one Envoy line on **stderr**.
* **Physical lines:** %(phys)d (the long access line is %(chunks)d of them).
""" % {"r1": r1, "long": m1["long_bytes"], "chunks": m1["long_chunks"], "phys": m1["physical"]})
    sec.append("""### `%(r2)s`

* **Wrapper:** `kubectl logs --prefix` (`[pod/calcfrontend-v1-5f7b9c8d4-h7k2n/istio-proxy] <line>`); the prefix
  names pod and container but **not** the namespace (it is `challengeistio`; only the file name says so).
* **Layout:** Istio 1.3–1.7 text, proxy 1.6.14 (21 tokens; `"mixer status"` and `"utfr"` both `"-"`; route
  `default` on inbound, `-` on the VirtualService-routed outbound calls, `allow_any` on HTTP passthrough).
  Inbound clusters use the ≤1.7 naming `inbound|80|http|calcfrontendsvc.challengeistio.svc.cluster.local`.
* **Story:** the day before (2026-11-22, 08:00–08:52), older mesh in `ALLOW_ANY` mode. The frontend receives
  `GET /` and `POST /api/calculation` from the ingress gateway (`10.244.0.5`, client IP in XFF) and calls
  `calcbackendsvc` (ClusterIP `10.103.62.215:80`, authority `calcbackendsvc` or `calcbackendsvc:80`):
  Mobile user agents go to `outbound|80|v2|…`, the rest 50/50 to `v1` / `v4` — exactly `backend-vs`.
  A telemetry exporter talks TLS to raw IPs on 443 (`PassthroughCluster`, shaped like P2) and the app looks up
  its public IP over plain HTTP at `api.ipify.org` (`PassthroughCluster`, route `allow_any`).
* **Agent lines:** 1.6-era pilot-agent start-up (`FLAG: --…` lines, `PilotSAN`, `Envoy command: […]` — which
  contains literal tabs from Envoy's `--log-format` — SDS lines) and one Envoy `grpc_stream.h` warning.
  Istio 1.6 had no `xdsproxy` (it arrived in 1.8), so there are no xdsproxy lines here.
""" % {"r2": r2})
    sec.append("""### `%(r3)s`

* **Wrapper:** none — one JSON object per line, as `istio-proxy` prints with `accessLogEncoding: JSON`.
  Namespace `payments`, pod `checkout-6b8d7f9c4-z9w8v` (pod IP `10.244.2.31`) are known only from the file
  name; nothing in the content says so.
* **Layout:** Istio 1.11 default JSON (24 keys, typed: numbers for `response_code`, `bytes_*`, `duration`;
  `null` for unset; `response_flags` is `"-"` when empty; `upstream_service_time` is a *string* because it is a
  response header). **Key order is random per line.**
* **Story:** each `POST /checkout` (inbound `inbound|8080||`) reads and updates the order at
  `orders.payments.svc.cluster.local` (internal) and charges the card at `api.stripe.com:443`
  (`outbound|443||api.stripe.com`, SNI `api.stripe.com` — ServiceEntry `stripe`). An error-reporting SDK dials
  `35.186.247.156:443` / `34.120.195.249:443` with no ServiceEntry: blocked like B4 (`"response_flags":"UH"`,
  `"response_code":0`, `"upstream_cluster":null`, no upstream host). A Slack webhook posted to
  `http://hooks.slack.com` is refused locally: `502`, `direct_response`, route `block_all`, cluster `null`.
* **Agent lines:** one JSON pilot-agent line (`{"level":…,"time":…,"scope":"xdsproxy","msg":…}`), not an access log.
""" % {"r3": r3})
    sec.append("""### `%(r3b)s`

* **Wrapper:** none. Namespace `billing` (from the file name only), pod IP `10.244.3.51`.
* **Layout:** Istio 1.3-style JSON: 23 keys including `istio_policy_status`, **every value a string**, `"-"` for
  unset (`"response_code":"0"`, `"upstream_service_time":"-"`). Key order random.
* **Story:** one TLS call to `api.stripe.com` through the `stripe` ServiceEntry of namespace `payments`
  (exported to all namespaces), one in-mesh `503 UF,URX` to `ledger.billing.svc.cluster.local`, and one
  `ALLOW_ANY` passthrough to `151.101.1.195:443`. Plus one JSON agent line (no `scope` key).
""" % {"r3b": r3b})
    sec.append("""### `%(r4)s`

* **Wrapper:** none, gzip-compressed as **two concatenated gzip members** (%(m1)d + %(m2)d lines), the way log
  shippers append; a reader must inflate every member. Pod and namespace are not in the content (namespace
  `legacy`, pod IP `10.244.3.14`).
* **Layout:** Istio 1.8 text (20 tokens: `"utfr"` and route, no mixer status, no response-code details;
  inbound cluster `inbound|8080||` with `127.0.0.1` upstream like I2).
* **Story:** a reports service reads `inventory-api.legacy.svc.cluster.local:8080` (internal) and uploads to
  `www.googleapis.com:443` (`outbound|443||www.googleapis.com`, SNI — ServiceEntry `googleapis`). A nightly
  build still uses `http://repo.maven.apache.org`: five `GET /maven2/…` requests end in `502` route `block_all`
  with cluster `-` (Maven's user agent has spaces, parentheses and semicolons). News from `edition.cnn.com` goes
  through the egress gateway: sidecar lines with cluster
  `outbound|443||istio-egressgateway.istio-system.svc.cluster.local`, SNI `edition.cnn.com` and a CNN IP as
  downstream local (TLS), plus one plain-HTTP `GET /politics` 301 via `outbound|80||istio-egressgateway…`
  (authority `edition.cnn.com`); those count as **allowed** (ServiceEntry `cnn` in `istio-system`).
  Two pilot-agent `xdsproxy` lines at the top of member 1.
""" % {"r4": r4, "m1": m4["members"][0], "m2": m4["members"][1]})
    sec.append("""### `%(r5)s`

* **Wrapper:** Docker json-file (`{"log":"<line>\\n","stream":"stdout|stderr","time":"<RFC3339Nano>"}`; the
  access line is JSON-escaped — its quotes appear as `\\"`). Pod `reviews-v2-7d9f8c6b5-abcde`, namespace
  `bookinfo`, container `istio-proxy` and the 64-hex container id come from the file name.
* **Layout:** Istio 1.9–1.22 text (22 tokens, `%%UPSTREAM_CLUSTER%%`); plain `outbound_.9080_._.…` SNIs.
* **Story:** productpage (`10.244.1.9`) calls `GET /reviews/<id>` (inbound `inbound|9080||`), reviews-v2 calls
  `ratings:9080` (`outbound|9080||ratings.bookinfo.svc.cluster.local`, internal; one fails with
  `503 UF,URX upstream_reset_before_response_started{remote_connection_failure,delayed_connect_error:_111}` and
  a quoted transport failure reason with spaces) and, every few requests, `api.github.com:443`
  (`outbound|443||api.github.com`, SNI — ServiceEntry `github`; its port 80 is never used).
* **Edge cases:** three GitHub lines over IPv6 (`[2001:db8::1a]:443` as upstream host and downstream local,
  `[fd00:10:244::1c]:<port>` as upstream local and downstream remote — the first with port `43210`); one Envoy
  line on **stderr**; the **last** access line has the cluster `outbound|443||api.github.com;` — the trailing
  `;` that 1.23–1.24 control planes add via `alt_stat_name` and that `%%UPSTREAM_CLUSTER%%` prints (the file
  ends after an istiod upgrade and an xDS reconnect). Strip one trailing `;`.
""" % {"r5": r5})
    sec.append("""### `%(r6)s`

* **Wrapper:** Fluent Bit records (tail input with the `cri` multiline parser, `kubernetes` filter):
  `date` (epoch seconds, double), `time`, `stream`, `_p`, `log` (no trailing newline), and a `kubernetes` map
  with `pod_name`, `namespace_name` (`warehouse`), `pod_id`, `labels`, `host` (`node-2`), `container_name`,
  `docker_id`, `container_hash`, `container_image` (`docker.io/istio/proxyv2:1.22.3`).
* **Layout:** Istio 1.22 text (22 tokens, `%%UPSTREAM_CLUSTER%%`). Pod `inventory-5c7d8b9f6-m3n4p`, pod IP `10.244.2.40`.
* **Story:** the inventory service long-polls `sqs.eu-west-1.amazonaws.com` and publishes to
  `sns.eu-west-1.amazonaws.com` through the **wildcard** ServiceEntry `amazonaws-wildcard` (`*.amazonaws.com`,
  resolution `NONE`): the cluster keeps the wildcard (`outbound|443||*.amazonaws.com`), the real host is only in
  the SNI, and upstream host = downstream local. Until 09:50 the mesh is `ALLOW_ANY` and stock exports are
  `PUT` over plain HTTP to `s3.amazonaws.com` (`PassthroughCluster`, route `allow_any`); at 09:50 the mesh
  switches to `REGISTRY_ONLY`, after which the S3 calls (`GET /inventory-config/settings.json`) get `502`
  `block_all` and a TLS client dialing `34.149.87.45:443` / `35.190.60.146:443` hits `BlackHoleCluster` `UH`.
* **Non-proxy:** one record from container `inventory` (`2026/11/23 09:41:10 GET /healthz 200 412µs`, raw UTF-8 `µ`).
""" % {"r6": r6})
    sec.append("""### `entries/serviceentries.yaml`

What `kubectl get serviceentries -A -o yaml` prints: `apiVersion: v1`, `items:`, `kind: List`,
`metadata: {resourceVersion: ""}`; keys sorted, sequences not indented, go-yaml quoting (`'*.amazonaws.com'`,
`"True"`, `"2026-11-23T10:00:00Z"`, but plain `k:{"name":"https"}` and `.`). Each item has `metadata.managedFields` (client-side apply + pilot-discovery
status), the `kubectl.kubernetes.io/last-applied-configuration` annotation (a JSON copy in the version it was
applied with), and a `status` with `conditions` (`Reconciled`) and `observedGeneration`; ServiceEntries that
Istio auto-allocates addresses for (non-wildcard, no `spec.addresses`) carry `status.addresses` with a VIP from
`240.240.0.0/16` and one from `2001:2::/48` per host. Item `apiVersion`s mix `networking.istio.io/v1`, `v1beta1`
and `v1alpha3`.

| namespace | name | apiVersion | hosts | ports | resolution | notes |
|---|---|---|---|---|---|---|
""")
    for it in items:
        sp = it["spec"]
        ports = ", ".join("%d/%s (%s)" % (p["number"], p["protocol"], p["name"]) for p in sp["ports"])
        notes = []
        if "exportTo" in sp:
            notes.append("exportTo `%s`" % json.dumps(sp["exportTo"]))
        if "addresses" in sp:
            notes.append("addresses `%s`, endpoints" % ", ".join(sp["addresses"]))
        if "addresses" in it["status"]:
            notes.append("VIPs " + ", ".join("`%s`" % a["value"] for a in it["status"]["addresses"]))
        used = {
            "github": "used by bookinfo (443 only; port 80 unused)",
            "httpbin-ext": "used by challengeistio after 10:00",
            "cnn": "used via the egress gateway by legacy",
            "googleapis": "used by legacy",
            "legacy-ftp": "**no traffic**",
            "datadog": "**no traffic**",
            "stripe": "used by payments and billing",
            "amazonaws-wildcard": "used by warehouse (sqs/sns)",
        }[it["metadata"]["name"]]
        notes.append(used)
        sec[-1] += "| %s | %s | %s | %s | %s | %s | %s |\n" % (
            it["metadata"]["namespace"], it["metadata"]["name"], it["apiVersion"].split("/")[1],
            ", ".join("`%s`" % h for h in sp["hosts"]), ports, sp.get("resolution", "NONE"), "; ".join(notes))
    sec.append("""
### `entries/httpbin-ext.yaml`

The tutorial's manifest as a multi-document stream: the `httpbin-ext` ServiceEntry (`v1alpha3`, with
`namespace: challengeistio` added) and, after `---`, the tutorial's `httpbin-ext` VirtualService (kept verbatim,
including `sni_hosts`). A loader must skip the non-ServiceEntry document: 1 ServiceEntry, 1 other kind.
""")
    text = "\n".join(lines) + "\n" + "\n".join(sec)
    with open(os.path.join(out_dir, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


if __name__ == "__main__":
    sys.exit(main())
