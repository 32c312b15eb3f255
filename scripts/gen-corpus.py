#!/usr/bin/env python3
"""Generate a synthetic Istio sidecar access-log corpus for benchmarking egress-audit.

    scripts/gen-corpus.py --lines N --format text|json --seed S --out FILE [--gzip] [--distinct]

Deterministic: the same arguments always produce byte-identical output (gzip
output uses mtime 0 and no file name in the header).  Standard library only.

Text lines use Istio's default layout for 1.9+ proxies with %UPSTREAM_CLUSTER_RAW%
(1.23+): 22 tokens when `[time]`, each "quoted" field and each bare token count
as one.  JSON lines carry the 24 keys of Istio's default JSON format with typed
values (numbers for code/bytes/duration, null for unset), keys in one of a few
shuffled orders per line.

Scenario mix (per line, by probability):
  10 %  BlackHoleCluster TLS/TCP    "- - -" 0 UH ... BlackHoleCluster - <ip>:443 ...
   5 %  PassthroughCluster          TLS like line P1; ~1/3 HTTP with route allow_any
   3 %  REGISTRY_ONLY HTTP block    502 - direct_response ... "-" - - <ip>:80 ... - block_all
  20 %  TLS to ServiceEntry hosts   outbound|443||<host> ... <sni> -
  30 %  in-mesh HTTP calls          outbound|<port>||<svc>.<ns>.svc.cluster.local, authority <svc>:<port>
  25 %  inbound HTTP                inbound|<port>|| 127.0.0.6:<eph> ... outbound_.<port>_._.<fqdn>
   7 %  external HTTP via SE        outbound|80||<host> ... default
"""

import argparse
import gzip
import io
import random
import sys
import time

# --------------------------------------------------------------------------- #
# Static vocabulary
# --------------------------------------------------------------------------- #

WORDS = (
    "acme alpha apex atlas aurora azure beacon birch bolt bright cargo cedar cirrus "
    "cobalt comet coral crest delta drift echo ember falcon fern flux forge frost "
    "galaxy garnet glacier granite harbor hawk helix horizon indigo iris jade jet "
    "juniper kestrel krypton lagoon lark lumen lynx maple matrix meadow mesa meteor "
    "nebula nimbus noble nova oak onyx orbit orchid pacific pebble photon pine pixel "
    "polar prairie prism pulse quartz quasar radiant raven reef ridge river sable "
    "sage sierra signal silver solar sonic spark spruce stellar summit tango tempest "
    "terra thunder tidal timber titan topaz trail tundra umbra vector velvet vertex "
    "violet vista willow zenith zephyr"
).split()

PREFIXES = ["api", "www", "cdn", "auth", "login", "static", "events", "hooks",
            "storage", "metrics", "pay", "ws", "graph", "data", "files", "img"]
TLDS = ["com", "com", "com", "io", "net", "org", "dev", "cloud", "co.uk", "de"]

# Well-known names that really appear in egress logs (kept as part of the pool).
KNOWN_HOSTS = [
    "httpbin.org", "www.google.com", "www.googleapis.com", "oauth2.googleapis.com",
    "storage.googleapis.com", "api.github.com", "github.com", "objects.githubusercontent.com",
    "registry-1.docker.io", "auth.docker.io", "production.cloudflare.docker.com",
    "api.stripe.com", "hooks.slack.com", "api.twilio.com", "api.sendgrid.com",
    "sts.amazonaws.com", "s3.amazonaws.com", "s3.eu-west-1.amazonaws.com",
    "dynamodb.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com",
    "login.microsoftonline.com", "graph.microsoft.com", "management.azure.com",
    "api.openai.com", "pypi.org", "files.pythonhosted.org", "repo1.maven.org",
    "edition.cnn.com", "developers.google.com", "api.dropboxapi.com", "api.facebook.com",
    "www.baidu.com", "www.tencent.com", "sentry.io", "o4504.ingest.sentry.io",
    "api.datadoghq.com", "http-intake.logs.datadoghq.com", "api.pagerduty.com",
    "events.pagerduty.com", "api.segment.io",
]

# 40 in-cluster services: (name, namespace, service port, target port)
SERVICES = [
    ("productpage", "default", 9080, 9080), ("reviews", "default", 9080, 9080),
    ("ratings", "default", 9080, 9080), ("details", "default", 9080, 9080),
    ("httpbin", "default", 8000, 80), ("httpbin", "foo", 8000, 80),
    ("sleep", "default", 80, 80), ("frontend", "shop", 80, 8080),
    ("cartservice", "shop", 7070, 7070), ("checkout", "shop", 5050, 5050),
    ("currency", "shop", 7000, 7000), ("payment", "shop", 50051, 50051),
    ("shipping", "shop", 50051, 50051), ("email", "shop", 5000, 8080),
    ("recommendation", "shop", 8080, 8080), ("adservice", "shop", 9555, 9555),
    ("catalog", "shop", 3550, 3550), ("redis-cart", "shop", 6379, 6379),
    ("orders", "payments", 8080, 8080), ("ledger", "payments", 8080, 8080),
    ("fraud-check", "payments", 8443, 8443), ("invoices", "payments", 8080, 8080),
    ("accounts", "payments", 8080, 8080), ("gateway", "payments", 80, 8080),
    ("users", "identity", 8080, 8080), ("sessions", "identity", 8080, 8080),
    ("keycloak", "identity", 8080, 8080), ("token-exchange", "identity", 9000, 9000),
    ("search", "catalog", 9200, 9200), ("inventory", "catalog", 8080, 8080),
    ("pricing", "catalog", 8080, 8080), ("images", "catalog", 80, 8080),
    ("notifications", "platform", 8080, 8080), ("scheduler", "platform", 8080, 8080),
    ("audit", "platform", 8080, 8080), ("config", "platform", 8888, 8888),
    ("grafana", "monitoring", 3000, 3000), ("prometheus", "monitoring", 9090, 9090),
    ("loki", "monitoring", 3100, 3100), ("jaeger-query", "monitoring", 16686, 16686),
]

USER_AGENTS = [
    # (weight, ua)
    (6, "curl/7.81.0"),
    (3, "curl/8.5.0"),
    (2, "curl/7.68.0"),
    (5, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"),
    (4, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.0.0"),
    (4, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15"),
    (3, "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"),
    (2, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"),
    (5, "Java-http-client/17.0.10"),
    (4, "Java-http-client/21.0.3"),
    (4, "Apache-HttpClient/4.5.13 (Java/17.0.10)"),
    (3, "Apache-HttpClient/4.5.1 (Java/1.8.0_372)"),
    (3, "okhttp/4.12.0"),
    (5, "Go-http-client/1.1"),
    (4, "python-requests/2.31.0"),
    (3, "python-httpx/0.27.0"),
    (3, "grpc-go/1.63.2"),
    (2, "grpc-java-netty/1.62.2"),
    (2, "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)"),
    (2, "axios/1.6.8"),
    (2, "aws-sdk-java/2.25.40 Linux/5.15.0-1057-aws OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Eclipse_Adoptium io/sync http/Apache cfg/retry-mode/legacy"),
    (2, "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84"),
    (1, "kube-probe/1.29"),
    (1, "Prometheus/2.51.2"),
]

# Paths for in-mesh / inbound traffic, per service name (fallback generic list).
SVC_PATHS = {
    "productpage": ["/productpage", "/productpage?u=normal", "/productpage?u=test", "/static/bootstrap/css/bootstrap.min.css", "/api/v1/products"],
    "reviews": ["/reviews/0", "/reviews/1", "/reviews/2", "/reviews/7?rating=5&sort=newest"],
    "ratings": ["/ratings/0", "/ratings/1", "/ratings/2"],
    "details": ["/details/0", "/details/1", "/details/2"],
    "httpbin": ["/get", "/headers", "/status/418", "/status/200", "/delay/1", "/anything/foo?bar=baz"],
}
GENERIC_PATHS = [
    "/healthz", "/readyz", "/metrics", "/api/v1/items", "/api/v1/items/{id}",
    "/api/v1/orders/{id}/status", "/api/v2/users/{id}/profile?fields=name,email,locale",
    "/v1/accounts/{id}/balance", "/internal/cache/invalidate?key=user-{id}",
    "/graphql", "/api/v1/search?q=wireless+headphones&page=2&size=24&sort=relevance",
    "/hipstershop.CartService/GetCart", "/hipstershop.CurrencyService/Convert",
    "/grpc.health.v1.Health/Check", "/api/v1/events?since=1715680000&limit=500",
]
EXT_PATHS = [
    "/", "/get", "/headers", "/status/200", "/v1/charges", "/v1/customers/cus_{id}",
    "/repos/acme/egress-audit/releases/latest", "/api/v2/events",
    "/services/T0000/B0000/{id}", "/2010-04-01/Accounts/AC{id}/Messages.json",
    "/oauth2/v2.0/token", "/v1.0/users/{id}/messages?$top=50&$select=subject,from",
    "/simple/requests/", "/maven2/org/apache/commons/commons-lang3/3.14.0/commons-lang3-3.14.0.pom",
    "/latest/meta-data/iam/security-credentials/", "/api/v1/series?api_key=redacted",
    "/v3/mail/send", "/v1/chat/completions", "/webhooks/incoming/{id}?source=ci&retry=0",
]

CODES_OK = [200] * 40 + [201] * 3 + [204] * 3 + [301, 302, 304, 400, 401, 403, 404, 404, 429, 500]

# --------------------------------------------------------------------------- #
# Pools derived from the seed
# --------------------------------------------------------------------------- #

def build_pools(r):
    # ~1,500 distinct external hosts.
    hosts = list(KNOWN_HOSTS)
    seen = set(hosts)
    while len(hosts) < 1500:
        w1 = r.choice(WORDS)
        w2 = r.choice(WORDS)
        kind = r.random()
        if kind < 0.45:
            h = "%s.%s%s.%s" % (r.choice(PREFIXES), w1, w2, r.choice(TLDS))
        elif kind < 0.75:
            h = "%s.%s-%s.%s" % (r.choice(PREFIXES), w1, w2, r.choice(TLDS))
        else:
            h = "%s%s.%s" % (w1, w2, r.choice(TLDS))
        if h not in seen:
            seen.add(h)
            hosts.append(h)

    # Each external host resolves to 1-3 public IPs.
    def pub_ip():
        while True:
            a = r.choice((3, 13, 18, 23, 34, 35, 44, 52, 54, 104, 142, 151, 157, 172, 180, 185, 199, 204, 216))
            if a == 172:
                b = r.choice((64, 67, 217))  # stay out of 172.16/12
            else:
                b = r.randrange(0, 256)
            return "%d.%d.%d.%d" % (a, b, r.randrange(0, 256), r.randrange(1, 255))

    host_ips = [[pub_ip() for _ in range(r.choice((1, 1, 2, 3)))] for _ in hosts]

    # Zipf-ish popularity: a few hosts get most of the traffic, all get some.
    host_weights = [1.0 / (i + 1) ** 0.9 for i in range(len(hosts))]
    order = list(range(len(hosts)))
    r.shuffle(order)
    host_idx = r.choices(order, weights=host_weights, k=65536)

    # Wildcard ServiceEntries: a few hosts are covered by "*.<domain>".
    wildcard = {}
    for i, h in enumerate(hosts):
        parts = h.split(".")
        if len(parts) >= 3 and parts[0] in ("cdn", "static", "img", "files") and r.random() < 0.5:
            wildcard[i] = "*." + ".".join(parts[1:])

    # Source pods (downstream remote on outbound, pod IPs on inbound).
    pod_ips = ["10.244.%d.%d" % (r.randrange(0, 8), r.randrange(2, 255)) for _ in range(240)]
    # Per-service ClusterIP and a few endpoint pod IPs.
    svc_cluster_ip = ["10.96.%d.%d" % (r.randrange(0, 256), r.randrange(1, 255)) for _ in SERVICES]
    svc_endpoints = [["10.244.%d.%d" % (r.randrange(0, 8), r.randrange(2, 255)) for _ in range(r.choice((1, 2, 3)))]
                     for _ in SERVICES]
    ua_pool = r.choices([u for _, u in USER_AGENTS], weights=[w for w, _ in USER_AGENTS], k=4096)

    # Workloads: 30 deployments of 8 replicas (pod i belongs to workload i // 8). Each reaches its own set of
    # external hosts (10 to 160, drawn by global popularity), with its own Zipf-ish preference inside the set:
    # real pods call a handful of stable destinations, which is what egress inventories and summaries rely on.
    egress = []
    for _ in range(len(pod_ips) // 8):
        size = 10 + int(150 * r.random() ** 2)
        chosen = []
        seen_in_set = set()
        while len(chosen) < size:
            h = host_idx[r.randrange(65536)]
            if h not in seen_in_set:
                seen_in_set.add(h)
                chosen.append(h)
        egress.append(r.choices(chosen, weights=[1.0 / (k + 1) for k in range(size)], k=1024))
    return dict(hosts=hosts, host_ips=host_ips, host_idx=host_idx, wildcard=wildcard, egress=egress,
                pod_ips=pod_ips, svc_cluster_ip=svc_cluster_ip, svc_endpoints=svc_endpoints,
                ua_pool=ua_pool)


# --------------------------------------------------------------------------- #
# Record generation
# --------------------------------------------------------------------------- #
# A record is a 24-tuple in the text layout order:
#  0 start_time  1 method  2 path  3 protocol  4 response_code  5 response_flags
#  6 response_code_details  7 connection_termination_details
#  8 upstream_transport_failure_reason  9 bytes_received  10 bytes_sent
# 11 duration  12 upstream_service_time  13 x_forwarded_for  14 user_agent
# 15 request_id  16 authority  17 upstream_host  18 upstream_cluster
# 19 upstream_local_address  20 downstream_local_address
# 21 downstream_remote_address  22 requested_server_name  23 route_name
# None means unset ('-' in text, null in JSON); ints stay ints.

JSON_KEYS = ["start_time", "method", "path", "protocol", "response_code", "response_flags",
             "response_code_details", "connection_termination_details",
             "upstream_transport_failure_reason", "bytes_received", "bytes_sent", "duration",
             "upstream_service_time", "x_forwarded_for", "user_agent", "request_id", "authority",
             "upstream_host", "upstream_cluster", "upstream_local_address",
             "downstream_local_address", "downstream_remote_address", "requested_server_name",
             "route_name"]
assert len(JSON_KEYS) == 24


def make_generator(r, pools, distinct=False):
    rnd = r.random
    bits = r.getrandbits
    hosts = pools["hosts"]
    host_ips = pools["host_ips"]
    host_idx = pools["host_idx"]
    wildcard = pools["wildcard"]
    pod_ips = pools["pod_ips"]
    npods = len(pod_ips)
    svc_cip = pools["svc_cluster_ip"]
    svc_eps = pools["svc_endpoints"]
    ua_pool = pools["ua_pool"]
    egress = pools["egress"]
    nsvc = len(SERVICES)
    svc_paths = [SVC_PATHS.get(s[0], GENERIC_PATHS) for s in SERVICES]
    svc_fqdn = ["%s.%s.svc.cluster.local" % (s[0], s[1]) for s in SERVICES]
    svc_auth = ["%s:%d" % (s[0], s[2]) if s[1] == "default" or rnd() < 0.5 else "%s.%s:%d" % (s[0], s[1], s[2])
                for s in SERVICES]
    svc_out_cluster = ["outbound|%d||%s" % (s[2], f) for s, f in zip(SERVICES, svc_fqdn)]
    svc_in_cluster = ["inbound|%d||" % s[3] for s in SERVICES]
    svc_in_sni = ["outbound_.%d_._.%s" % (s[2], f) for s, f in zip(SERVICES, svc_fqdn)]
    n_generic = len(GENERIC_PATHS)
    n_ext = len(EXT_PATHS)
    n_codes = len(CODES_OK)

    # Clock: starts at a fixed instant, advances 0..19 ms per line.
    state = {"ms": 0, "sec": -1, "prefix": ""}
    t0 = 1715680000  # 2024-05-14T09:46:40Z

    def ts():
        state["ms"] += bits(4) + bits(2)  # 0..18 ms, ~7.5 average
        ms = state["ms"]
        sec = ms // 1000
        if sec != state["sec"]:
            state["sec"] = sec
            state["prefix"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t0 + sec))
        return "%s.%03dZ" % (state["prefix"], ms % 1000)

    # Envoy's x-request-id is a v4 UUID whose version nibble Envoy reuses for the
    # trace decision ('9' sampled, '4' not traced), e.g. 84961386-6d84-929d-98bd-...
    def uuid():
        h = "%032x" % bits(128)
        return "%s-%s-%s%s-%s%s-%s" % (h[:8], h[8:12], "9" if bits(2) else "4", h[13:16],
                                       "89ab"[bits(2)], h[17:20], h[20:])

    def eph():
        return 32768 + bits(15)  # 32768..65535

    def pod():
        return pod_ips[bits(8) % npods]

    def ua():
        return ua_pool[bits(12)]

    def ext_call():
        """A source pod index and an external host index from that pod's workload's egress set."""
        p = bits(8) % npods
        return p, egress[p // 8][bits(10)]

    def fill(p):
        if "{id}" in p:
            return p.replace("{id}", str(bits(20)))
        return p

    def method():
        x = bits(4)
        return "GET" if x < 11 else ("POST" if x < 14 else ("PUT" if x == 14 else "DELETE"))

    # --- scenarios --------------------------------------------------------- #

    def blackhole():
        p, i = ext_call()
        ip = host_ips[i][0]
        port = 443 if bits(4) else (8443 if bits(1) else 5432)
        return (ts(), None, None, None, 0, "UH", None, None, None, 0, 0, bits(4) + (bits(3) if bits(1) else 0),
                None, None, None, None, None, None, "BlackHoleCluster", None,
                "%s:%d" % (ip, port), "%s:%d" % (pod_ips[p], eph()), None, None)

    def passthrough():
        p, i = ext_call()
        ip = host_ips[i][0]
        src = pod_ips[p]
        if bits(2):  # TLS, like line P1
            dst = "%s:443" % ip
            return (ts(), None, None, None, 0, None, None, None, None, 300 + bits(11), 2000 + bits(14),
                    20 + bits(9), None, None, None, None, None, dst, "PassthroughCluster",
                    "%s:%d" % (src, eph()), dst, "%s:%d" % (src, eph()), None, None)
        dst = "%s:80" % ip
        code = CODES_OK[bits(6) % n_codes]
        d = 5 + bits(8)
        return (ts(), method(), fill(EXT_PATHS[bits(5) % n_ext]), "HTTP/1.1", code, None, "via_upstream", None, None,
                0 if bits(1) else bits(10), 100 + bits(13), d, str(d - 1), None, ua(), uuid(), hosts[i], dst,
                "PassthroughCluster", "%s:%d" % (src, eph()), dst, "%s:%d" % (src, eph()), None, "allow_any")

    def block_all():
        p, i = ext_call()
        ip = host_ips[i][0]
        return (ts(), "GET" if bits(2) else "HEAD", fill(EXT_PATHS[bits(5) % n_ext]), "HTTP/1.1", 502, None,
                "direct_response", None, None, 0, 0, 0, None, None, ua(), uuid(), hosts[i], None, None, None,
                "%s:80" % ip, "%s:%d" % (pod_ips[p], eph()), None, "block_all")

    def tls_se():
        p, i = ext_call()
        h = hosts[i]
        ips = host_ips[i]
        ip = ips[bits(2) % len(ips)]
        src = pod_ips[p]
        cl = wildcard.get(i)
        cluster = "outbound|443||" + (cl if cl else h)
        up = "%s:443" % ip
        # DNS resolution: the dialed IP usually equals the one Envoy used.
        dla = up if bits(3) else "%s:443" % ips[0]
        flags = None
        utfr = None
        bx = 400 + bits(11)
        by = 1000 + bits(16)
        if bits(6) == 0:
            flags, bx, by = "UF,URX", 0, 0
            utfr = "delayed_connect_error:_111" if bits(1) else None
        return (ts(), None, None, None, 0, flags, None, None, utfr, bx, by, 15 + bits(10), None, None, None, None,
                None, up, cluster, "%s:%d" % (src, eph()), dla, "%s:%d" % (src, eph()), h, None)

    def mesh_http():
        s = bits(6) % nsvc
        paths = svc_paths[s]
        eps = svc_eps[s]
        src = pod()
        code = CODES_OK[bits(6) % n_codes]
        details = "via_upstream"
        flags = None
        d = 1 + bits(7)
        ust = str(d - 1 if d > 1 else 1)
        up = "%s:%d" % (eps[bits(2) % len(eps)], SERVICES[s][3])
        bs = 100 + bits(12)
        if bits(7) == 0:
            code, flags, details, ust, bs = 503, "UC", "upstream_reset_before_response_started{connection_termination}", None, 95
        xff = None if bits(2) else pod_ips[bits(8) % npods]
        return (ts(), method(), fill(paths[bits(5) % len(paths)]), "HTTP/1.1", code, flags, details, None, None,
                0 if bits(1) else bits(11), bs, d, ust, xff, ua(), uuid(), svc_auth[s], up, svc_out_cluster[s],
                "%s:%d" % (src, eph()), "%s:%d" % (svc_cip[s], SERVICES[s][2]), "%s:%d" % (src, eph()), None,
                "default")

    def inbound():
        s = bits(6) % nsvc
        paths = svc_paths[s]
        eps = svc_eps[s]
        me = eps[bits(2) % len(eps)]
        tp = SERVICES[s][3]
        code = CODES_OK[bits(6) % n_codes]
        d = 1 + bits(7)
        up = "%s:%d" % (me, tp)
        ula = "127.0.0.6:%d" % eph()
        return (ts(), method(), fill(paths[bits(5) % len(paths)]), "HTTP/1.1", code, None, "via_upstream", None,
                None, 0 if bits(1) else bits(11), 100 + bits(12), d, str(d), None, ua(), uuid(), svc_auth[s], up,
                svc_in_cluster[s], ula, up, "%s:%d" % (pod(), eph()), svc_in_sni[s], "default")

    def ext_http():
        p, i = ext_call()
        h = hosts[i]
        ips = host_ips[i]
        src = pod_ips[p]
        code = CODES_OK[bits(6) % n_codes]
        d = 20 + bits(9)
        up = "%s:80" % ips[bits(2) % len(ips)]
        dla = "%s:80" % ips[0]
        return (ts(), method(), fill(EXT_PATHS[bits(5) % n_ext]), "HTTP/1.1", code, None, "via_upstream", None, None,
                0 if bits(1) else bits(12), 200 + bits(13), d, str(d - 2), None, ua(), uuid(), h, up,
                "outbound|80||" + h, "%s:%d" % (src, eph()), dla, "%s:%d" % (src, eph()), None, "default")

    # Cumulative thresholds over a 10-bit draw (1024 buckets).
    table = []
    for fn, pct in ((blackhole, 10), (passthrough, 5), (block_all, 3), (tls_se, 20),
                    (mesh_http, 30), (inbound, 25), (ext_http, 7)):
        table += [fn] * round(pct * 1024 / 100)
    while len(table) < 1024:
        table.append(ext_http)
    table = table[:1024]

    # --distinct: every call leaves to an address no earlier line named (a scan, or ALLOW_ANY traffic to an
    # ever-changing CDN), half blocked and half passed through: each line a new shape, target, string and sum.
    fresh = [0]

    def new_address():
        n = fresh[0]
        fresh[0] += 1
        return "%d.%d.%d.%d" % (1 + (n >> 24) % 223, (n >> 16) & 255, (n >> 8) & 255, n & 255)

    def distinct_call():
        p = bits(8) % npods
        src = pod_ips[p]
        dst = "%s:%d" % (new_address(), 443 if bits(2) else 8443)
        if bits(1):
            return (ts(), None, None, None, 0, "UH", None, None, None, 0, 0, bits(4),
                    None, None, None, None, None, None, "BlackHoleCluster", None,
                    dst, "%s:%d" % (src, eph()), None, None)
        return (ts(), None, None, None, 0, None, None, None, None, 300 + bits(11), 2000 + bits(14),
                20 + bits(9), None, None, None, None, None, dst, "PassthroughCluster",
                "%s:%d" % (src, eph()), dst, "%s:%d" % (src, eph()), None, None)

    def record():
        return distinct_call() if distinct else table[bits(10)]()

    return record


# --------------------------------------------------------------------------- #
# Rendering
# --------------------------------------------------------------------------- #

TEXT_FMT = ('[%s] "%s %s %s" %s %s %s %s "%s" %s %s %s %s "%s" "%s" "%s" "%s" "%s" %s %s %s %s %s %s\n')


def render_text(rec):
    return TEXT_FMT % tuple("-" if v is None else v for v in rec)


def make_json_renderer(r):
    # A handful of shuffled key orders, chosen per line.
    orders = []
    for _ in range(8):
        o = list(range(24))
        r.shuffle(o)
        orders.append(o)
    prefix = ['"%s":' % k for k in JSON_KEYS]
    bits = r.getrandbits

    def enc(i, v):
        if v is None:
            # Envoy prints "-" for "no flags" even in typed JSON; other unset values are null.
            return prefix[i] + ('"-"' if i == 5 else "null")
        if v.__class__ is int:
            return prefix[i] + str(v)
        # Values never contain '"' or '\\' or control characters.
        return prefix[i] + '"' + v + '"'

    def render(rec):
        parts = [enc(i, v) for i, v in enumerate(rec)]
        o = orders[bits(3)]
        return "{" + ",".join([parts[j] for j in o]) + "}\n"

    return render


# --------------------------------------------------------------------------- #

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, required=True, help="number of lines to write")
    ap.add_argument("--format", choices=("text", "json"), default="text")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help="output file ('-' for stdout)")
    ap.add_argument("--gzip", action="store_true", help="write gzip (level 6)")
    ap.add_argument("--distinct", action="store_true",
                    help="every line an outbound call to an address never seen before (the writer's worst case)")
    ap.add_argument("--quiet", action="store_true", help="no timing note on stderr")
    a = ap.parse_args(argv)
    if a.lines < 0:
        ap.error("--lines must be >= 0")

    started = time.perf_counter()
    r = random.Random(a.seed)
    pools = build_pools(r)
    record = make_generator(random.Random(a.seed * 7919 + 1), pools, distinct=a.distinct)
    if a.format == "text":
        render = render_text
    else:
        render = make_json_renderer(random.Random(a.seed * 104729 + 2))

    if a.out == "-":
        raw = sys.stdout.buffer
    else:
        raw = open(a.out, "wb")
    out = gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=raw, mtime=0) if a.gzip else raw

    written = 0
    chunk = 20000
    left = a.lines
    while left > 0:
        n = chunk if left > chunk else left
        data = "".join([render(record()) for _ in range(n)]).encode("ascii")
        out.write(data)
        written += len(data)
        left -= n
    if a.gzip:
        out.close()
    if raw is not sys.stdout.buffer:
        raw.close()
    else:
        raw.flush()

    if not a.quiet:
        el = time.perf_counter() - started
        print("gen-corpus: %d %s lines, %d bytes uncompressed (%.1f B/line), %.1f s"
              % (a.lines, a.format, written, written / a.lines if a.lines else 0.0, el), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
