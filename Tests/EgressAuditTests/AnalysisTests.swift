import Testing
@testable import EgressAudit

// The analysis works on `CallGroup` values; these are built by hand in the shape the sample logs give
// (sample-logs/README.md): TLS lines through a ServiceEntry cluster carry an SNI and the dialed IP,
// BlackHoleCluster/PassthroughCluster TLS lines carry only the IP, HTTP lines carry the authority.

// MARK: - Fixtures

/// 2026-11-23T00:00:00Z in epoch microseconds.
private let day: Int64 = 1_795_392_000_000_000

/// 2026-11-23 at hh:mm:ss(.fff) UTC.
private func at(_ h: Int, _ m: Int, _ s: Double = 0) -> Int64 {
    day + Int64(h) * 3_600_000_000 + Int64(m) * 60_000_000 + Int64((s * 1_000_000).rounded())
}

private let backendPod = "jscalcbackend-egress-v1-7c9d8f6b5d-q4x2m"
private let reviewsPod = "reviews-v2-7d9f8c6b5-abcde"

/// A TLS call through a ServiceEntry cluster (`outbound|443||host`): SNI and dialed IP known.
private func tlsAllowed(_ host: String, ip: String, ns: String?, pod: String? = nil, calls: Int, port: Int = 443,
                        first: Int64? = nil, last: Int64? = nil, cluster: String? = nil) -> CallGroup {
    CallGroup(verdict: .allowed, proto: .tls, destHost: host, destIP: ip, destPort: port, cluster: cluster ?? "outbound|\(port)||\(host)",
              sni: host, namespace: ns, pod: pod, sourceIP: "10.244.9.9", calls: calls, firstSeen: first, lastSeen: last)
}

/// A TLS/TCP call refused by `BlackHoleCluster` (or let out by `PassthroughCluster`): only the original destination IP.
private func ipOnly(_ ip: String, ns: String?, pod: String? = nil, calls: Int, port: Int = 443, verdict: Verdict = .blocked,
                    first: Int64? = nil, last: Int64? = nil, sourceIP: String = "10.244.9.9") -> CallGroup {
    CallGroup(verdict: verdict, proto: .tcp, destHost: nil, destIP: ip, destPort: port,
              cluster: verdict == .blocked ? "BlackHoleCluster" : "PassthroughCluster",
              namespace: ns, pod: pod, sourceIP: sourceIP, calls: calls, firstSeen: first, lastSeen: last)
}

/// A plaintext HTTP call: `502 block_all` (blocked, no cluster) or `allow_any` passthrough; the authority names the host.
private func httpCall(_ host: String, ip: String?, ns: String?, pod: String? = nil, calls: Int, port: Int = 80, verdict: Verdict = .blocked,
                      cluster: String? = nil, first: Int64? = nil, last: Int64? = nil) -> CallGroup {
    CallGroup(verdict: verdict, proto: .http, destHost: host, destIP: ip, destPort: port,
              cluster: cluster ?? (verdict == .passthrough ? "PassthroughCluster" : nil),
              authority: host, namespace: ns, pod: pod, sourceIP: "10.244.9.9", calls: calls, firstSeen: first, lastSeen: last)
}

private func port(_ number: Int, _ proto: String, _ name: String) -> ServiceEntry.Port {
    ServiceEntry.Port(number: number, protocol: proto, name: name)
}

/// The sample's `bookinfo/github` (443 HTTPS only here, so port 80 is missing) with its auto-allocated VIPs.
private let github443 = ServiceEntry(name: "github", namespace: "bookinfo", hosts: ["api.github.com"], ports: [port(443, "HTTPS", "https")],
                                     location: "MESH_EXTERNAL", resolution: "DNS", statusAddresses: ["240.240.0.1", "2001:2::f0f0:1"])
/// The sample's `payments/stripe`, but private to its namespace.
private let stripePrivate = ServiceEntry(name: "stripe", namespace: "payments", hosts: ["api.stripe.com"], ports: [port(443, "TLS", "tls")],
                                         location: "MESH_EXTERNAL", resolution: "DNS", exportTo: ["."])
private let legacyFTP = ServiceEntry(apiVersion: "networking.istio.io/v1alpha3", name: "legacy-ftp", namespace: "legacy",
                                     hosts: ["ftp.example.org"], addresses: ["203.0.113.10/32"], ports: [port(21, "TCP", "ftp")],
                                     location: "MESH_EXTERNAL", resolution: "STATIC",
                                     endpoints: [ServiceEntry.Endpoint(address: "203.0.113.10", ports: [:], labels: [:])])
private let amazonaws = ServiceEntry(name: "amazonaws-wildcard", namespace: "warehouse", hosts: ["*.amazonaws.com"], ports: [port(443, "TLS", "tls")],
                                     location: "MESH_EXTERNAL", resolution: "NONE")
private let datadog = ServiceEntry(name: "datadog", namespace: "payments", hosts: ["*.datadoghq.com"], ports: [port(443, "TLS", "tls")],
                                   location: "MESH_EXTERNAL", resolution: "NONE", exportTo: ["."])
private let cnn = ServiceEntry(apiVersion: "networking.istio.io/v1beta1", name: "cnn", namespace: "istio-system", hosts: ["edition.cnn.com"],
                              ports: [port(80, "HTTP", "http-port"), port(443, "TLS", "tls")], location: nil, resolution: "DNS",
                              statusAddresses: ["240.240.0.3", "2001:2::f0f0:3"])
private let githubBoth = ServiceEntry(name: "github", namespace: "bookinfo", hosts: ["api.github.com"],
                                      ports: [port(443, "HTTPS", "https"), port(80, "HTTP", "http")],
                                      location: "MESH_EXTERNAL", resolution: "DNS", statusAddresses: ["240.240.0.1", "2001:2::f0f0:1"])
private let httpbinExt = ServiceEntry(apiVersion: "networking.istio.io/v1alpha3", name: "httpbin-ext", namespace: "challengeistio",
                                      hosts: ["httpbin.org"], ports: [port(443, "HTTPS", "https")], location: "MESH_EXTERNAL", resolution: "DNS")

/// The seed story: blocked IP-only calls to httpbin.org until 10:00, then allowed TLS calls (SNI httpbin.org) to the same IPs.
private let seedGroups: [CallGroup] = [
    ipOnly("3.230.204.70", ns: "challengeistio", pod: backendPod, calls: 11, first: at(9, 4), last: at(9, 58)),
    ipOnly("34.227.213.82", ns: "challengeistio", pod: backendPod, calls: 9, first: at(9, 5), last: at(9, 59)),
    tlsAllowed("httpbin.org", ip: "3.230.204.70", ns: "challengeistio", pod: backendPod, calls: 8, first: at(10, 0, 41), last: at(10, 50)),
    tlsAllowed("httpbin.org", ip: "34.227.213.82", ns: "challengeistio", pod: backendPod, calls: 16, first: at(10, 1), last: at(10, 57, 24.472)),
]

/// Applies suggestions: each one's YAML is loaded back; add-port/export documents replace the entry with the same namespace/name.
private func applying(_ suggestions: [Suggestion], to entries: [ServiceEntry]) throws -> [ServiceEntry] {
    var result = entries
    for s in suggestions {
        let loaded = ServiceEntryLoader().load(text: s.yaml, source: "suggestion")
        #expect(loaded.problems == [], "suggestion YAML did not load: \(loaded.problems)\n\(s.yaml)")
        try #require(loaded.entries.count == 1, "one entry per suggestion:\n\(s.yaml)")
        let entry = loaded.entries[0]
        #expect(entry.id == (s.entry ?? entry.id), "an \(s.action.rawValue) document must name the entry it changes")
        if let i = result.firstIndex(where: { $0.id == entry.id }) {
            #expect(s.action != .create, "a create must not reuse an existing entry's name: \(entry.id)")
            result[i] = entry
        } else {
            result.append(entry)
        }
    }
    return result
}

// MARK: - Evidence

@Suite("Analysis: naming IPs by evidence")
struct EvidenceTests {
    @Test("an IP seen with one SNI host is named after it")
    func unique() {
        let evidence = Evidence(groups: seedGroups, entries: [])
        #expect(evidence.name("3.230.204.70") == .named(host: "httpbin.org", because: "3.230.204.70 carried SNI httpbin.org in 8 other calls"))
        #expect(evidence.name("34.227.213.82") == .named(host: "httpbin.org", because: "34.227.213.82 carried SNI httpbin.org in 16 other calls"))
        let one = Evidence(groups: [tlsAllowed("httpbin.org", ip: "1.2.3.4", ns: nil, calls: 1),
                                    tlsAllowed("httpbin.org", ip: "1.2.3.5", ns: nil, calls: 2),
                                    tlsAllowed("httpbin.org", ip: "1.2.3.5", ns: "x", calls: 3)], entries: [])
        #expect(one.name("1.2.3.4") == .named(host: "httpbin.org", because: "1.2.3.4 carried SNI httpbin.org in 1 other call"))
        #expect(one.name("1.2.3.5") == .named(host: "httpbin.org", because: "1.2.3.5 carried SNI httpbin.org in 5 other calls"))
    }

    @Test("an :authority or a ServiceEntry cluster names an IP too")
    func authorityAndCluster() {
        let groups = [
            httpCall("hooks.slack.com", ip: "3.220.31.231", ns: "payments", calls: 5),
            CallGroup(verdict: .allowed, proto: .http, destHost: "api.github.com", destIP: "140.82.112.6", destPort: 80,
                      cluster: "outbound|80||api.github.com", namespace: "bookinfo", calls: 2),
        ]
        let evidence = Evidence(groups: groups, entries: [])
        #expect(evidence.name("3.220.31.231") == .named(host: "hooks.slack.com", because: "3.220.31.231 carried :authority hooks.slack.com in 5 other calls"))
        #expect(evidence.name("140.82.112.6") == .named(host: "api.github.com", because: "140.82.112.6 carried ServiceEntry cluster api.github.com in 2 other calls"))
    }

    @Test("an IP seen with two hosts stays an IP")
    func conflicting() {
        let groups = [
            tlsAllowed("a.example.com", ip: "151.101.1.195", ns: "web", calls: 2),
            tlsAllowed("b.example.com", ip: "151.101.1.195", ns: "web", calls: 3),
            ipOnly("151.101.1.195", ns: "web", calls: 4),
        ]
        let evidence = Evidence(groups: groups, entries: [])
        #expect(evidence.name("151.101.1.195") == .conflicting(
            hosts: ["a.example.com", "b.example.com"],
            because: "151.101.1.195 was seen with several hosts: a.example.com (2 calls), b.example.com (3 calls); kept as an IP"))
    }

    @Test("no evidence: unknown; internal calls and wildcard hosts are no evidence")
    func none() {
        let groups = [
            ipOnly("35.186.247.156", ns: "payments", calls: 5),
            CallGroup(verdict: .internal, proto: .http, destHost: "orders.payments.svc.cluster.local", destIP: "10.96.0.12", destPort: 80,
                      cluster: "outbound|80||orders.payments.svc.cluster.local", namespace: "payments", calls: 9),
            CallGroup(verdict: .allowed, proto: .tls, destHost: "*.amazonaws.com", destIP: "52.94.218.4", destPort: 443,
                      cluster: "outbound|443||*.amazonaws.com", namespace: "warehouse", calls: 1),
        ]
        let evidence = Evidence(groups: groups, entries: [amazonaws])
        #expect(evidence.name("35.186.247.156") == .unknown)
        #expect(evidence.name("10.96.0.12") == .unknown)
        #expect(evidence.name("52.94.218.4") == .unknown)
    }

    @Test("an entry's addresses and status VIPs name an IP")
    func entryAddresses() {
        let evidence = Evidence(groups: [], entries: [legacyFTP, github443, amazonaws])
        #expect(evidence.name("203.0.113.10") == .named(host: "ftp.example.org", because: "203.0.113.10 is in the ServiceEntry addresses of legacy/legacy-ftp"))
        #expect(evidence.name("240.240.0.1") == .named(host: "api.github.com", because: "240.240.0.1 is in the ServiceEntry addresses of bookinfo/github"))
        #expect(evidence.name("2001:2::f0f0:1") == .named(host: "api.github.com", because: "2001:2::f0f0:1 is in the ServiceEntry addresses of bookinfo/github"))
        #expect(evidence.name("203.0.113.11") == .unknown)

        // A wildcard or multi-host entry cannot name an address; an entry and a call that disagree conflict.
        let wide = ServiceEntry(name: "wide", namespace: "n", hosts: ["*.example.com"], addresses: ["198.51.100.0/24"], ports: [port(443, "TLS", "tls")])
        let two = ServiceEntry(name: "two", namespace: "n", hosts: ["a.example.org", "b.example.org"], addresses: ["192.0.2.0/24"], ports: [port(443, "TLS", "tls")])
        let mixed = Evidence(groups: [tlsAllowed("other.example.net", ip: "203.0.113.10", ns: "legacy", calls: 1)], entries: [wide, two, legacyFTP])
        #expect(mixed.name("198.51.100.7") == .unknown)
        #expect(mixed.name("192.0.2.7") == .unknown)
        #expect(mixed.name("203.0.113.10") == .conflicting(
            hosts: ["ftp.example.org", "other.example.net"],
            because: "203.0.113.10 was seen with several hosts: ftp.example.org (0 calls), other.example.net (1 calls); kept as an IP"))
    }

    @Test("a pod IP's namespace from inbound mTLS SNI, alone or with in-mesh endpoints; conflicting sources give none")
    func podNamespaceFromInbound() {
        let answered: [String: (namespace: String, calls: Int)] = ["checkout.payments.svc.cluster.local": ("payments", 37)]
        let found = Evidence.namespace(ofPodIP: "10.244.2.31", served: [:], answered: answered)
        #expect(found?.0 == "payments")
        #expect(found?.1 == "pod 10.244.2.31 received 37 mTLS calls for checkout.payments.svc.cluster.local (inbound SNI)")
        let both = Evidence.namespace(ofPodIP: "10.244.2.31", served: ["outbound|80||checkout.payments.svc.cluster.local": 2], answered: answered)
        #expect(both?.1 == "pod 10.244.2.31 received 37 mTLS calls for checkout.payments.svc.cluster.local (inbound SNI) "
                + "and answered 2 in-mesh calls to services of namespace payments")
        #expect(Evidence.namespace(ofPodIP: "10.244.2.31", served: ["outbound|80||a.billing.svc.cluster.local": 2], answered: answered) == nil)
    }

    @Test("a pod IP's namespace from the services it answered for")
    func podNamespace() {
        let served = ["outbound|80|v4|calcbackendsvc.challengeistio.svc.cluster.local": 5,
                      "outbound|80||other.challengeistio.svc.cluster.local": 2,
                      "outbound|443||api.github.com": 7]
        let found = Evidence.namespace(ofPodIP: "10.244.1.17", served: served)
        #expect(found?.0 == "challengeistio")
        #expect(found?.1 == "pod 10.244.1.17 answered 7 in-mesh calls to services of namespace challengeistio")
        let single = Evidence.namespace(ofPodIP: "10.244.1.9", served: ["outbound|9080||productpage.bookinfo.svc.cluster.local": 1])
        #expect(single?.0 == "bookinfo")
        #expect(single?.1 == "pod 10.244.1.9 answered 1 in-mesh call to services of namespace bookinfo")
        // Two namespaces: no answer; nothing served: no answer; another cluster domain.
        #expect(Evidence.namespace(ofPodIP: "10.244.1.1", served: ["outbound|80||a.one.svc.cluster.local": 1,
                                                                   "outbound|80||b.two.svc.cluster.local": 1]) == nil)
        #expect(Evidence.namespace(ofPodIP: "10.244.1.1", served: [:]) == nil)
        #expect(Evidence.namespace(ofPodIP: "10.244.1.1", served: ["outbound|80||a.one.svc.cluster.local": 1], clusterDomain: "corp.local") == nil)
        #expect(Evidence.namespace(ofPodIP: "10.244.1.1", served: ["outbound|80||a.one.svc.corp.local": 3], clusterDomain: "corp.local")?.0 == "one")
        // A host that is not <svc>.<ns>.svc.<domain> says nothing.
        #expect(Evidence.namespace(ofPodIP: "10.244.1.1", served: ["outbound|80||x.a.one.svc.cluster.local": 1]) == nil)
    }
}

// MARK: - EntryIndex

@Suite("Analysis: EntryIndex coverage")
struct EntryIndexTests {
    let index = EntryIndex([amazonaws, legacyFTP, stripePrivate, github443])

    @Test("a wildcard host covers names below its domain, never the domain")
    func wildcard() {
        #expect(index.covering(host: "sqs.eu-west-1.amazonaws.com", ip: nil, port: 443, namespace: "warehouse").map(\.id) == ["warehouse/amazonaws-wildcard"])
        #expect(index.covering(host: "amazonaws.com", ip: nil, port: 443, namespace: "warehouse").isEmpty)
        #expect(index.covering(host: "S3.AmazonAWS.com", ip: nil, port: 443, namespace: nil).map(\.id) == ["warehouse/amazonaws-wildcard"])
    }

    @Test("the port must be one of the entry's ports")
    func portMustMatch() {
        #expect(index.covering(host: "s3.amazonaws.com", ip: nil, port: 80, namespace: "warehouse").isEmpty)
        #expect(index.covering(host: "api.github.com", ip: nil, port: 80, namespace: "bookinfo").isEmpty)
        #expect(index.covering(host: "api.github.com", ip: nil, port: 443, namespace: "bookinfo").map(\.id) == ["bookinfo/github"])
        #expect(index.covering(host: "api.github.com", ip: nil, port: nil, namespace: "bookinfo").isEmpty)
    }

    @Test("addresses and status VIPs cover the original destination IP by CIDR")
    func cidr() {
        #expect(index.covering(host: nil, ip: "203.0.113.10", port: 21, namespace: "legacy").map(\.id) == ["legacy/legacy-ftp"])
        #expect(index.covering(host: nil, ip: "203.0.113.11", port: 21, namespace: "legacy").isEmpty)
        #expect(index.covering(host: nil, ip: "203.0.113.10", port: 22, namespace: "legacy").isEmpty)
        #expect(index.covering(host: nil, ip: "240.240.0.1", port: 443, namespace: "bookinfo").map(\.id) == ["bookinfo/github"])
        let net = EntryIndex([ServiceEntry(name: "mongo", namespace: "data", hosts: ["mymongodb.somedomain"], addresses: ["192.192.192.192/24"],
                                           ports: [port(27018, "MONGO", "mongodb")], resolution: "STATIC")])
        #expect(net.covering(host: nil, ip: "192.192.192.7", port: 27018, namespace: "data").count == 1)
        #expect(net.covering(host: nil, ip: "192.192.193.7", port: 27018, namespace: "data").isEmpty)
    }

    @Test("exportTo must include the caller's namespace when it is known")
    func exportTo() {
        #expect(index.covering(host: "api.stripe.com", ip: nil, port: 443, namespace: "payments").map(\.id) == ["payments/stripe"])
        #expect(index.covering(host: "api.stripe.com", ip: nil, port: 443, namespace: "billing").isEmpty)
        #expect(index.covering(host: "api.stripe.com", ip: nil, port: 443, namespace: nil).map(\.id) == ["payments/stripe"])
        // naming ignores ports and scope.
        #expect(index.naming(host: "api.stripe.com", ip: nil).map(\.id) == ["payments/stripe"])
        #expect(index.naming(host: "api.github.com", ip: nil).map(\.id) == ["bookinfo/github"])
        #expect(index.naming(host: nil, ip: "203.0.113.10").map(\.id) == ["legacy/legacy-ftp"])
        #expect(index.naming(host: "example.org", ip: "198.51.100.1").isEmpty)
    }
}

// MARK: - SuggestionBuilder

@Suite("Analysis: SuggestionBuilder")
struct SuggestionBuilderTests {
    @Test("blocked IP-only TLS calls named by evidence: one create for the host")
    func seedStory() throws {
        let suggestions = SuggestionBuilder().suggestions(groups: seedGroups, entries: [])
        try #require(suggestions.count == 1)
        let s = suggestions[0]
        #expect(s.action == .create)
        #expect(s.host == "httpbin.org")
        #expect(s.addresses == [])
        #expect(s.ports == [Suggestion.PortNeed(number: 443, protocol: "TLS")])
        #expect(s.entry == nil)
        #expect(s.namespaces == ["challengeistio"])
        #expect(s.pods == ["challengeistio/\(backendPod)"])
        #expect(s.calls == 44)
        #expect(s.reasons == ["blocked", "allowed"])
        #expect(s.firstSeen == "2026-11-23T09:04:00.000Z")
        #expect(s.lastSeen == "2026-11-23T10:57:24.472Z")
        #expect(s.evidence == ["3.230.204.70 carried SNI httpbin.org in 8 other calls",
                               "34.227.213.82 carried SNI httpbin.org in 16 other calls"])
        let e = s.serviceEntry
        #expect(e.name == "httpbin-org")
        #expect(e.namespace == "challengeistio")
        #expect(e.hosts == ["httpbin.org"])
        #expect(e.addresses == [])
        #expect(e.exportTo == ["challengeistio"])
        #expect(e.location == "MESH_EXTERNAL")
        #expect(e.resolution == "DNS")
        #expect(e.ports == [port(443, "TLS", "tls-443")])
    }

    @Test("only the blocked calls of one namespace: TLS is known from the SNI another namespace's calls carried")
    func evidenceFromElsewhere() throws {
        let groups = [
            tlsAllowed("httpbin.org", ip: "3.230.204.70", ns: "observer", calls: 3),
            ipOnly("3.230.204.70", ns: "challengeistio", pod: backendPod, calls: 11, first: at(9, 4), last: at(9, 58)),
        ]
        let suggestions = SuggestionBuilder(options: SuggestOptions(namespace: "challengeistio")).suggestions(groups: groups, entries: [])
        try #require(suggestions.count == 1)
        let s = suggestions[0]
        #expect(s.action == .create)
        #expect(s.host == "httpbin.org")
        #expect(s.ports == [Suggestion.PortNeed(number: 443, protocol: "TLS")])
        #expect(s.reasons == ["blocked"])
        #expect(s.calls == 11)
        #expect(s.namespaces == ["challengeistio"])
        #expect(s.serviceEntry.exportTo == ["challengeistio"])
        #expect(s.serviceEntry.namespace == "challengeistio")
        #expect(s.serviceEntry.resolution == "DNS")
        #expect(s.evidence == ["3.230.204.70 carried SNI httpbin.org in 3 other calls"])
    }

    @Test("evidence from outside the window names the IPs of the calls inside it")
    func evidenceBeyondWindow() throws {
        let blockedOnly = Array(seedGroups.prefix(2))
        #expect(SuggestionBuilder().suggestions(groups: blockedOnly, entries: []).map(\.addresses)
                == [["3.230.204.70/32"], ["34.227.213.82/32"]])
        let suggestions = SuggestionBuilder().suggestions(groups: blockedOnly, entries: [], evidence: seedGroups)
        try #require(suggestions.count == 1)
        #expect(suggestions[0].host == "httpbin.org")
        #expect(suggestions[0].calls == 20)
        #expect(suggestions[0].reasons == ["blocked"])
        #expect(suggestions[0].ports == [Suggestion.PortNeed(number: 443, protocol: "TLS")])
        let usage = UsageAnalyzer().usage(groups: blockedOnly, entries: [httpbinExt], evidence: seedGroups)
        #expect(usage.first?.calls == 20)
        #expect(usage.first?.hostPorts.first?.matchedBy == ["host"])
        #expect(UsageAnalyzer().usage(groups: blockedOnly, entries: [httpbinExt]).first?.calls == 0)
    }

    @Test("an unnamed IP keeps its address: ip/32, resolution NONE, a placeholder host")
    func unnamedIP() throws {
        let groups = [ipOnly("35.186.247.156", ns: "payments", calls: 5, first: at(9, 1, 22.235), last: at(9, 31, 46.151))]
        let suggestions = SuggestionBuilder().suggestions(groups: groups, entries: [])
        try #require(suggestions.count == 1)
        let s = suggestions[0]
        #expect(s.action == .create)
        #expect(s.host == nil)
        #expect(s.addresses == ["35.186.247.156/32"])
        #expect(s.ports == [Suggestion.PortNeed(number: 443, protocol: "TCP")])
        #expect(s.evidence == [
            "no other call named 35.186.247.156 and no entry lists it; kept as an IP",
            "no host is known for 35.186.247.156: the entry matches it by address; replace the placeholder host with the real name if you know it",
        ])
        let e = s.serviceEntry
        #expect(e.name == "ip-35-186-247-156")
        #expect(e.namespace == "payments")
        #expect(e.hosts == ["unnamed-35-186-247-156.egress-audit.invalid"])
        #expect(e.addresses == ["35.186.247.156/32"])
        #expect(e.resolution == "NONE")
        #expect(e.exportTo == ["payments"])
        #expect(e.ports == [port(443, "TCP", "tcp-443")])
    }

    @Test("an unnamed IPv6 address is a /128; an unknown caller namespace gives the default namespace and no exportTo")
    func unnamedIPv6() throws {
        let groups = [ipOnly("2001:db8::1a", ns: nil, calls: 2, verdict: .passthrough, sourceIP: "fd00:10:244::1c")]
        let suggestions = SuggestionBuilder(options: SuggestOptions(defaultNamespace: "egress")).suggestions(groups: groups, entries: [])
        try #require(suggestions.count == 1)
        let s = suggestions[0]
        #expect(s.addresses == ["2001:db8::1a/128"])
        #expect(s.reasons == ["passthrough"])
        #expect(s.namespaces == [])
        #expect(s.serviceEntry.name == "ip-2001-db8-1a")
        #expect(s.serviceEntry.hosts == ["unnamed-2001-db8-1a.egress-audit.invalid"])
        #expect(s.serviceEntry.namespace == "egress")
        #expect(s.serviceEntry.exportTo == [])
        #expect(s.yaml.contains("# callers: namespace unknown (pod IPs fd00:10:244::1c)\n"))
        #expect(s.yaml.contains("  addresses:\n  - \"2001:db8::1a/128\"\n"))
    }

    @Test("an IP with conflicting evidence stays an IP, and says why")
    func conflictingIP() throws {
        let groups = [
            tlsAllowed("a.example.com", ip: "151.101.1.195", ns: "web", calls: 2),
            tlsAllowed("b.example.com", ip: "151.101.1.195", ns: "web", calls: 3),
            ipOnly("151.101.1.195", ns: "web", calls: 4),
        ]
        let suggestions = SuggestionBuilder().suggestions(groups: groups, entries: [])
        #expect(suggestions.map { $0.host ?? "-" } == ["a.example.com", "b.example.com", "-"])
        let ip = try #require(suggestions.last)
        #expect(ip.addresses == ["151.101.1.195/32"])
        #expect(ip.calls == 4)
        #expect(ip.evidence.first == "151.101.1.195 was seen with several hosts: a.example.com (2 calls), b.example.com (3 calls); kept as an IP")
    }

    @Test("plaintext HTTP calls: protocol HTTP, port name http-80")
    func http() throws {
        let groups = [httpCall("hooks.slack.com", ip: "3.220.31.231", ns: "payments", calls: 5),
                      httpCall("hooks.slack.com", ip: "52.1.143.206", ns: "payments", calls: 1)]
        let suggestions = SuggestionBuilder().suggestions(groups: groups, entries: [])
        try #require(suggestions.count == 1)
        #expect(suggestions[0].host == "hooks.slack.com")
        #expect(suggestions[0].calls == 6)
        #expect(suggestions[0].ports == [Suggestion.PortNeed(number: 80, protocol: "HTTP")])
        #expect(suggestions[0].serviceEntry.ports == [port(80, "HTTP", "http-80")])
        #expect(suggestions[0].serviceEntry.resolution == "DNS")
    }

    @Test("HTTP on port 80 and TLS on 443 to the same IPs: each port keeps its own protocol")
    func httpAndTLSOnOneIP() throws {
        // The sample's CNN traffic through the egress gateway: TLS on 443 (SNI) and one plain GET on 80, same CNN IP.
        let gateway80 = "outbound|80||istio-egressgateway.istio-system.svc.cluster.local"
        let gateway443 = "outbound|443||istio-egressgateway.istio-system.svc.cluster.local"
        let groups = [
            CallGroup(verdict: .allowed, proto: .http, destHost: "edition.cnn.com", destIP: "151.101.129.67", destPort: 80,
                      cluster: gateway80, authority: "edition.cnn.com", namespace: "legacy", calls: 1),
            CallGroup(verdict: .allowed, proto: .tls, destHost: "edition.cnn.com", destIP: "151.101.129.67", destPort: 443,
                      cluster: gateway443, sni: "edition.cnn.com", namespace: "legacy", calls: 2),
            // An IP-only call on another port: the SNI seen on 443 says nothing about 8443.
            ipOnly("151.101.129.67", ns: "legacy", calls: 1, port: 8443),
        ]
        let suggestions = SuggestionBuilder().suggestions(groups: groups, entries: [])
        try #require(suggestions.count == 1)
        #expect(suggestions[0].host == "edition.cnn.com")
        #expect(suggestions[0].ports == [Suggestion.PortNeed(number: 80, protocol: "HTTP"), Suggestion.PortNeed(number: 443, protocol: "TLS"),
                                         Suggestion.PortNeed(number: 8443, protocol: "TCP")])
        #expect(suggestions[0].serviceEntry.ports == [port(80, "HTTP", "http-80"), port(443, "TLS", "tls-443"), port(8443, "TCP", "tcp-8443")])
    }

    @Test("an entry naming the host without the port: add-port with the whole entry plus the port")
    func addPort() throws {
        let groups = [httpCall("api.github.com", ip: "140.82.112.6", ns: "bookinfo", pod: reviewsPod, calls: 3)]
        let suggestions = SuggestionBuilder().suggestions(groups: groups, entries: [github443])
        try #require(suggestions.count == 1)
        let s = suggestions[0]
        #expect(s.action == .addPort)
        #expect(s.entry == "bookinfo/github")
        #expect(s.host == "api.github.com")
        #expect(s.addresses == [])
        #expect(s.ports == [Suggestion.PortNeed(number: 80, protocol: "HTTP")])
        #expect(s.namespaces == ["bookinfo"])
        var expected = github443
        expected.ports.append(port(80, "HTTP", "http-80"))
        #expect(s.serviceEntry == expected)
    }

    @Test("add-port to an entry not exported to the caller also exports it there")
    func addPortAndExport() throws {
        var privateGithub = github443
        privateGithub.exportTo = ["."]
        let groups = [httpCall("api.github.com", ip: "140.82.112.6", ns: "ratings", calls: 2)]
        let suggestions = SuggestionBuilder().suggestions(groups: groups, entries: [privateGithub])
        try #require(suggestions.count == 1)
        #expect(suggestions[0].action == .addPort)
        #expect(suggestions[0].serviceEntry.ports.map(\.number) == [443, 80])
        #expect(suggestions[0].serviceEntry.exportTo == [".", "ratings"])
        #expect(suggestions[0].evidence == ["bookinfo/github names the host but has no port 80",
                                            "bookinfo/github is exported to ., not to ratings: exportTo extended too"])
        let applied = try applying(suggestions, to: [privateGithub])
        #expect(SuggestionBuilder().suggestions(groups: groups, entries: applied) == [])
    }

    @Test("an entry covering host and port but private to another namespace: export with exportTo extended")
    func export() throws {
        let groups = [
            tlsAllowed("api.stripe.com", ip: "54.187.174.169", ns: "payments", calls: 11),
            ipOnly("54.187.174.169", ns: "billing", pod: "ledger-7f9c-x2x2x", calls: 2, first: at(9, 2), last: at(9, 3)),
        ]
        let suggestions = SuggestionBuilder().suggestions(groups: groups, entries: [stripePrivate])
        try #require(suggestions.count == 1)
        let s = suggestions[0]
        #expect(s.action == .export)
        #expect(s.entry == "payments/stripe")
        #expect(s.host == "api.stripe.com")
        #expect(s.ports == [Suggestion.PortNeed(number: 443, protocol: "TLS")])
        #expect(s.namespaces == ["billing"])
        #expect(s.calls == 2)
        #expect(s.reasons == ["blocked"])
        var expected = stripePrivate
        expected.exportTo = [".", "billing"]
        #expect(s.serviceEntry == expected)
    }

    @Test("wildcardMinimum 3: three hosts under one domain give one *.domain create, never *.com")
    func wildcard() throws {
        let groups = [
            tlsAllowed("a.example.com", ip: "192.0.2.1", ns: "shop", calls: 1),
            tlsAllowed("b.example.com", ip: "192.0.2.2", ns: "shop", calls: 2),
            tlsAllowed("c.example.com", ip: "192.0.2.3", ns: "shop", calls: 3),
            tlsAllowed("foo.com", ip: "192.0.2.4", ns: "shop", calls: 1),
            tlsAllowed("bar.com", ip: "192.0.2.5", ns: "shop", calls: 1),
            tlsAllowed("baz.com", ip: "192.0.2.6", ns: "shop", calls: 1),
        ]
        let builder = SuggestionBuilder(options: SuggestOptions(wildcardMinimum: 3))
        let suggestions = builder.suggestions(groups: groups, entries: [])
        #expect(suggestions.map { $0.host ?? "-" } == ["foo.com", "bar.com", "baz.com", "*.example.com"])
        let w = try #require(suggestions.last)
        #expect(w.action == .create)
        #expect(w.calls == 6)
        #expect(w.serviceEntry.hosts == ["*.example.com"])
        #expect(w.serviceEntry.name == "wildcard-example-com")
        #expect(w.serviceEntry.resolution == "NONE")
        #expect(w.serviceEntry.ports == [port(443, "TLS", "tls-443")])
        #expect(w.evidence == ["*.example.com covers the 3 hosts seen under it: a.example.com, b.example.com, c.example.com"])
        #expect(w.yaml.contains("  hosts:\n  - \"*.example.com\"\n"))

        // Two hosts under the domain: no wildcard; no option: never.
        let two = builder.suggestions(groups: Array(groups.prefix(2)), entries: [])
        #expect(two.map { $0.host ?? "-" } == ["a.example.com", "b.example.com"])
        #expect(SuggestionBuilder().suggestions(groups: groups, entries: []).map { $0.host ?? "-" }
                == ["a.example.com", "b.example.com", "c.example.com", "foo.com", "bar.com", "baz.com"])
    }

    @Test("calls the entries cover give no suggestion")
    func covered() {
        let groups = seedGroups + [
            tlsAllowed("sqs.eu-west-1.amazonaws.com", ip: "52.94.218.4", ns: "warehouse", calls: 10, cluster: "outbound|443||*.amazonaws.com"),
            ipOnly("203.0.113.10", ns: "legacy", calls: 2, port: 21),
            ipOnly("240.240.0.1", ns: "bookinfo", calls: 1),
            tlsAllowed("api.stripe.com", ip: "54.187.174.169", ns: "payments", calls: 11),
            ipOnly("54.187.174.169", ns: nil, calls: 1),
            CallGroup(verdict: .internal, proto: .http, destHost: "ratings.bookinfo.svc.cluster.local", destIP: "10.96.1.1", destPort: 9080,
                      cluster: "outbound|9080||ratings.bookinfo.svc.cluster.local", namespace: "bookinfo", calls: 40),
        ]
        #expect(SuggestionBuilder().suggestions(groups: groups, entries: [httpbinExt, amazonaws, legacyFTP, github443, stripePrivate]) == [])
    }

    // MARK: Golden YAML

    @Test("golden YAML: create")
    func goldenCreate() throws {
        let s = try #require(SuggestionBuilder().suggestions(groups: seedGroups, entries: []).first)
        #expect(s.yaml == """
            # egress-audit: create for httpbin.org:443
            # calls: 44 (blocked 20, allowed 24), first 2026-11-23T09:04:00.000Z, last 2026-11-23T10:57:24.472Z
            # callers: challengeistio/jscalcbackend-egress-v1-7c9d8f6b5d-q4x2m
            # evidence: 3.230.204.70 carried SNI httpbin.org in 8 other calls
            # evidence: 34.227.213.82 carried SNI httpbin.org in 16 other calls
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: httpbin-org
              namespace: challengeistio
            spec:
              hosts:
              - httpbin.org
              exportTo:
              - challengeistio
              location: MESH_EXTERNAL
              ports:
              - number: 443
                name: tls-443
                protocol: TLS
              resolution: DNS

            """)
    }

    @Test("golden YAML: create for an unnamed IP")
    func goldenCreateIP() throws {
        let groups = [ipOnly("35.186.247.156", ns: "payments", calls: 5, first: at(9, 1, 22.235), last: at(9, 31, 46.151))]
        let s = try #require(SuggestionBuilder().suggestions(groups: groups, entries: []).first)
        #expect(s.yaml == """
            # egress-audit: create for 35.186.247.156:443
            # calls: 5 (blocked 5), first 2026-11-23T09:01:22.235Z, last 2026-11-23T09:31:46.151Z
            # callers: payments
            # evidence: no other call named 35.186.247.156 and no entry lists it; kept as an IP
            # evidence: no host is known for 35.186.247.156: the entry matches it by address; replace the placeholder host with the real name if you know it
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: ip-35-186-247-156
              namespace: payments
            spec:
              hosts:
              - unnamed-35-186-247-156.egress-audit.invalid
              addresses:
              - 35.186.247.156/32
              exportTo:
              - payments
              location: MESH_EXTERNAL
              ports:
              - number: 443
                name: tcp-443
                protocol: TCP
              resolution: NONE

            """)
    }

    @Test("golden YAML: add-port")
    func goldenAddPort() throws {
        let groups = [httpCall("api.github.com", ip: "140.82.112.6", ns: "bookinfo", pod: reviewsPod, calls: 3,
                               first: at(9, 31, 19.304), last: at(9, 58, 2.377))]
        let s = try #require(SuggestionBuilder().suggestions(groups: groups, entries: [github443]).first)
        #expect(s.yaml == """
            # egress-audit: add-port bookinfo/github for api.github.com:80
            # calls: 3 (blocked 3), first 2026-11-23T09:31:19.304Z, last 2026-11-23T09:58:02.377Z
            # callers: bookinfo/reviews-v2-7d9f8c6b5-abcde
            # evidence: bookinfo/github names the host but has no port 80
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: github
              namespace: bookinfo
            spec:
              hosts:
              - api.github.com
              location: MESH_EXTERNAL
              ports:
              - number: 443
                name: https
                protocol: HTTPS
              - number: 80
                name: http-80
                protocol: HTTP
              resolution: DNS

            """)
    }

    @Test("golden YAML: export")
    func goldenExport() throws {
        let groups = [
            tlsAllowed("api.stripe.com", ip: "54.187.174.169", ns: "payments", calls: 11),
            ipOnly("54.187.174.169", ns: "billing", pod: "ledger-7f9c-x2x2x", calls: 2, first: at(9, 2), last: at(9, 3)),
        ]
        let s = try #require(SuggestionBuilder().suggestions(groups: groups, entries: [stripePrivate]).first)
        #expect(s.yaml == """
            # egress-audit: export payments/stripe for api.stripe.com:443
            # calls: 2 (blocked 2), first 2026-11-23T09:02:00.000Z, last 2026-11-23T09:03:00.000Z
            # callers: billing/ledger-7f9c-x2x2x
            # evidence: 54.187.174.169 carried SNI api.stripe.com in 11 other calls
            # evidence: payments/stripe covers host and port but is exported to ., not to billing
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: stripe
              namespace: payments
            spec:
              hosts:
              - api.stripe.com
              exportTo:
              - "."
              - billing
              location: MESH_EXTERNAL
              ports:
              - number: 443
                name: tls
                protocol: TLS
              resolution: DNS

            """)
    }

    @Test("golden YAML: an existing entry's other fields survive a change")
    func goldenKeepsFields() throws {
        let groups = [ipOnly("203.0.113.10", ns: "legacy", calls: 1, port: 990, first: at(9, 0), last: at(9, 0))]
        var ftp = legacyFTP
        ftp.workloadSelector = nil
        ftp.subjectAltNames = ["spiffe://example.org/ftp"]
        ftp.ports[0].targetPort = 2121
        let s = try #require(SuggestionBuilder().suggestions(groups: groups, entries: [ftp]).first)
        #expect(s.action == .addPort)
        #expect(s.yaml == """
            # egress-audit: add-port legacy/legacy-ftp for ftp.example.org:990
            # calls: 1 (blocked 1), first 2026-11-23T09:00:00.000Z, last 2026-11-23T09:00:00.000Z
            # callers: legacy
            # evidence: 203.0.113.10 is in the ServiceEntry addresses of legacy/legacy-ftp
            # evidence: legacy/legacy-ftp names the host but has no port 990
            apiVersion: networking.istio.io/v1alpha3
            kind: ServiceEntry
            metadata:
              name: legacy-ftp
              namespace: legacy
            spec:
              hosts:
              - ftp.example.org
              addresses:
              - 203.0.113.10/32
              location: MESH_EXTERNAL
              ports:
              - number: 21
                name: ftp
                protocol: TCP
                targetPort: 2121
              - number: 990
                name: tcp-990
                protocol: TCP
              resolution: STATIC
              endpoints:
              - address: 203.0.113.10
              subjectAltNames:
              - "spiffe://example.org/ftp"

            """)
    }

    // MARK: Round trip

    /// Everything at once: named and unnamed IPs, HTTP, add-port, export, a wildcard, a conflicting IP.
    private static let mixedGroups: [CallGroup] = seedGroups + [
        ipOnly("35.186.247.156", ns: "payments", calls: 5),
        ipOnly("2001:db8::99", ns: nil, calls: 1, verdict: .passthrough),
        httpCall("hooks.slack.com", ip: "3.220.31.231", ns: "payments", calls: 5),
        httpCall("repo.maven.apache.org", ip: "151.101.36.215", ns: nil, calls: 3),
        httpCall("api.github.com", ip: "140.82.112.6", ns: "bookinfo", pod: reviewsPod, calls: 3),
        httpCall("api.github.com", ip: "140.82.112.6", ns: "ratings", calls: 1),
        tlsAllowed("api.stripe.com", ip: "54.187.174.169", ns: "payments", calls: 11),
        ipOnly("54.187.174.169", ns: "billing", calls: 2),
        httpCall("s3.amazonaws.com", ip: "52.216.222.93", ns: "warehouse", calls: 6),
        tlsAllowed("a.shop.example", ip: "192.0.2.1", ns: "shop", calls: 1),
        tlsAllowed("b.shop.example", ip: "192.0.2.2", ns: "shop", calls: 1),
        tlsAllowed("c.shop.example", ip: "192.0.2.3", ns: "other", calls: 1),
        tlsAllowed("x.cdn.example", ip: "198.51.100.5", ns: "web", calls: 2),
        tlsAllowed("y.cdn.example", ip: "198.51.100.5", ns: "web", calls: 2),
        ipOnly("198.51.100.5", ns: "web", calls: 3),
        CallGroup(verdict: .allowed, proto: .http, destHost: "edition.cnn.com", destIP: "151.101.129.67", destPort: 80,
                  cluster: "outbound|80||istio-egressgateway.istio-system.svc.cluster.local", authority: "edition.cnn.com", namespace: nil, calls: 1),
        CallGroup(verdict: .allowed, proto: .tls, destHost: "edition.cnn.com", destIP: "151.101.129.67", destPort: 443,
                  cluster: "outbound|443||istio-egressgateway.istio-system.svc.cluster.local", sni: "edition.cnn.com", namespace: nil, calls: 2),
    ]

    private static let mixedEntries = [github443, stripePrivate, amazonaws, legacyFTP]

    @Test("round trip: each suggestion's YAML, applied to the entries, leaves nothing for its calls", arguments: [nil, 3] as [Int?])
    func roundTripEach(_ wildcardMinimum: Int?) throws {
        let builder = SuggestionBuilder(options: SuggestOptions(wildcardMinimum: wildcardMinimum))
        let suggestions = builder.suggestions(groups: Self.mixedGroups, entries: Self.mixedEntries)
        #expect(Set(suggestions.map(\.action)) == [.create, .addPort, .export])
        #expect(suggestions.map { "\($0.action.rawValue) \($0.host ?? $0.addresses.joined())" } == (wildcardMinimum == nil ? [
            "create httpbin.org", "create 35.186.247.156/32", "create 2001:db8::99/128", "create hooks.slack.com",
            "create repo.maven.apache.org", "create a.shop.example", "create b.shop.example", "create c.shop.example",
            "create x.cdn.example", "create y.cdn.example", "create 198.51.100.5/32", "create edition.cnn.com",
            "add-port api.github.com", "export api.stripe.com", "add-port s3.amazonaws.com",
        ] : [
            "create httpbin.org", "create 35.186.247.156/32", "create 2001:db8::99/128", "create hooks.slack.com",
            "create repo.maven.apache.org", "create x.cdn.example", "create y.cdn.example", "create 198.51.100.5/32",
            "create edition.cnn.com", "create *.shop.example",
            "add-port api.github.com", "export api.stripe.com", "add-port s3.amazonaws.com",
        ]))
        for s in suggestions {
            let applied = try applying([s], to: Self.mixedEntries)
            let after = builder.suggestions(groups: Self.mixedGroups, entries: applied)
            // Applying one suggestion removes it (an address entry may also cover the named calls to that IP).
            #expect(after.count < suggestions.count, "applying \(s.action.rawValue) \(s.host ?? s.addresses.joined()) left \(after.count)")
            #expect(!after.contains { $0.host == s.host && $0.addresses == s.addresses },
                    "still suggested after applying:\n\(s.yaml)")
        }
    }

    @Test("round trip: all suggestions applied together leave no suggestion", arguments: [nil, 2, 3] as [Int?])
    func roundTripAll(_ wildcardMinimum: Int?) throws {
        let builder = SuggestionBuilder(options: SuggestOptions(wildcardMinimum: wildcardMinimum))
        let suggestions = builder.suggestions(groups: Self.mixedGroups, entries: Self.mixedEntries)
        let applied = try applying(suggestions, to: Self.mixedEntries)
        let after = builder.suggestions(groups: Self.mixedGroups, entries: applied)
        #expect(after == [], "left: \(after.map(\.yaml).joined(separator: "---\n"))")
        // And the seed story alone.
        let seed = SuggestionBuilder().suggestions(groups: seedGroups, entries: [])
        #expect(SuggestionBuilder().suggestions(groups: seedGroups, entries: try applying(seed, to: [])) == [])
    }
}

// MARK: - UsageAnalyzer

@Suite("Analysis: UsageAnalyzer")
struct UsageAnalyzerTests {
    static let gateway443 = "outbound|443||istio-egressgateway.istio-system.svc.cluster.local"
    static let gateway80 = "outbound|80||istio-egressgateway.istio-system.svc.cluster.local"

    static let groups: [CallGroup] = [
        // Through its cluster name.
        tlsAllowed("api.github.com", ip: "140.82.112.6", ns: "bookinfo", pod: reviewsPod, calls: 6, first: at(9, 31), last: at(9, 50)),
        tlsAllowed("api.github.com", ip: "2001:db8::1a", ns: "bookinfo", pod: reviewsPod, calls: 3, first: at(9, 40), last: at(9, 58, 2.377)),
        // Through the SNI / authority its hosts match: the egress gateway's cluster names the gateway, not the entry.
        CallGroup(verdict: .allowed, proto: .tls, destHost: "edition.cnn.com", destIP: "151.101.1.67", destPort: 443,
                  cluster: gateway443, sni: "edition.cnn.com", namespace: nil, sourceIP: "10.244.3.14", calls: 7,
                  firstSeen: at(9, 3), lastSeen: at(9, 37, 32.958)),
        CallGroup(verdict: .allowed, proto: .http, destHost: "edition.cnn.com", destIP: "151.101.129.67", destPort: 80,
                  cluster: gateway80, authority: "edition.cnn.com", namespace: "legacy", sourceIP: "10.244.3.14", calls: 1,
                  firstSeen: at(9, 10), lastSeen: at(9, 10)),
        // Through its address.
        ipOnly("203.0.113.10", ns: "legacy", calls: 2, port: 21, verdict: .passthrough, first: at(8, 0), last: at(8, 30)),
        // A wildcard entry's cluster keeps the wildcard; the SNI says which host.
        tlsAllowed("sqs.eu-west-1.amazonaws.com", ip: "52.94.218.4", ns: "warehouse", calls: 10, first: at(9, 40), last: at(10, 4),
                   cluster: "outbound|443||*.amazonaws.com"),
        // Not exported to billing: a call from there does not use payments/datadog.
        CallGroup(verdict: .blocked, proto: .tls, destHost: "http-intake.logs.datadoghq.com", destIP: "3.233.146.1", destPort: 443,
                  cluster: "BlackHoleCluster", sni: "http-intake.logs.datadoghq.com", namespace: "billing", calls: 4),
        // Internal calls never use an entry.
        CallGroup(verdict: .internal, proto: .tls, destHost: "api.github.com", destIP: "10.96.0.1", destPort: 80,
                  cluster: "outbound|80||api.github.com", namespace: "bookinfo", calls: 50),
    ]

    static let entries = [githubBoth, cnn, legacyFTP, datadog, amazonaws]

    private func usage() -> [String: EntryUsage] {
        let list = UsageAnalyzer().usage(groups: Self.groups, entries: Self.entries)
        #expect(list.map(\.entry) == Self.entries.map(\.id))
        return Dictionary(uniqueKeysWithValues: list.map { ($0.entry, $0) })
    }

    @Test("used through its cluster name")
    func cluster() throws {
        let github = try #require(usage()["bookinfo/github"])
        #expect(github.calls == 9)
        #expect(github.lastSeen == "2026-11-23T09:58:02.377Z")
        #expect(github.namespaces == ["bookinfo"])
        #expect(github.hostPorts.map(\.port) == [443, 80])
        #expect(github.hostPorts[0] == EntryUsage.HostPort(host: "api.github.com", port: 443, protocol: "HTTPS", calls: 9,
                                                          lastSeen: "2026-11-23T09:58:02.377Z", namespaces: ["bookinfo"], matchedBy: ["cluster"]))
        let amazon = try #require(usage()["warehouse/amazonaws-wildcard"])
        #expect(amazon.hostPorts == [EntryUsage.HostPort(host: "*.amazonaws.com", port: 443, protocol: "TLS", calls: 10,
                                                         lastSeen: "2026-11-23T10:04:00.000Z", namespaces: ["warehouse"], matchedBy: ["cluster"])])
    }

    @Test("used through the SNI or authority its hosts match (egress gateway lines)")
    func sniThroughGateway() throws {
        let cnnUsage = try #require(usage()["istio-system/cnn"])
        #expect(cnnUsage.calls == 8)
        #expect(cnnUsage.namespaces == ["legacy"])
        #expect(cnnUsage.lastSeen == "2026-11-23T09:37:32.958Z")
        #expect(cnnUsage.hostPorts == [
            EntryUsage.HostPort(host: "edition.cnn.com", port: 80, protocol: "HTTP", calls: 1, lastSeen: "2026-11-23T09:10:00.000Z",
                                namespaces: ["legacy"], matchedBy: ["host"]),
            EntryUsage.HostPort(host: "edition.cnn.com", port: 443, protocol: "TLS", calls: 7, lastSeen: "2026-11-23T09:37:32.958Z",
                                namespaces: [], matchedBy: ["host"]),
        ])
    }

    @Test("used through its address")
    func address() throws {
        let ftp = try #require(usage()["legacy/legacy-ftp"])
        #expect(ftp.calls == 2)
        #expect(ftp.hostPorts == [EntryUsage.HostPort(host: "ftp.example.org", port: 21, protocol: "TCP", calls: 2,
                                                      lastSeen: "2026-11-23T08:30:00.000Z", namespaces: ["legacy"], matchedBy: ["address"])])
        // An auto-allocated VIP (DNS capture) counts too.
        let vip = UsageAnalyzer().usage(groups: [ipOnly("240.240.0.1", ns: "bookinfo", calls: 1, verdict: .allowed)], entries: [githubBoth])
        #expect(vip.first?.hostPorts.first?.matchedBy == ["address"])
        #expect(vip.first?.hostPorts.first?.calls == 1)
    }

    @Test("blocked IP-only calls named by evidence use the entry that would cover them")
    func namedIP() throws {
        let u = UsageAnalyzer().usage(groups: seedGroups, entries: [httpbinExt])
        #expect(u.first?.calls == 44)
        #expect(u.first?.hostPorts.first?.matchedBy == ["cluster", "host"])
        #expect(UsageAnalyzer().unused(u) == [])
    }

    @Test("a whole unused entry, and an unused host × port of a used one")
    func unused() throws {
        let list = UsageAnalyzer().usage(groups: Self.groups, entries: Self.entries)
        #expect(list.first { $0.entry == "payments/datadog" }?.calls == 0)
        let items = UsageAnalyzer().unused(list)
        #expect(items == [
            UnusedItem(entry: "payments/datadog", host: nil, port: nil, protocol: nil, entryLastSeen: nil, lastSeen: nil, source: ""),
            UnusedItem(entry: "bookinfo/github", host: "api.github.com", port: 80, protocol: "HTTP",
                       entryLastSeen: "2026-11-23T09:58:02.377Z", lastSeen: nil, source: ""),
        ])
        // With every entry unused, every entry is listed whole (no host × port lines).
        #expect(UsageAnalyzer().unused(UsageAnalyzer().usage(groups: [], entries: Self.entries)).map { "\($0.entry) \($0.host ?? "-")" }
                == ["bookinfo/github -", "istio-system/cnn -", "legacy/legacy-ftp -", "payments/datadog -", "warehouse/amazonaws-wildcard -"])
    }
}
