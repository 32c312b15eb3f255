import Foundation
import Testing
@testable import EgressAudit

// ServiceEntry model, matching primitives and the loader (reference §5: fields, host wildcards, exportTo).

/// The package root: this file is <root>/Tests/EgressAuditTests/MeshTests.swift.
private let meshPackageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// `namespace/name` of every entry, in load order.
private func ids(_ loaded: LoadedEntries) -> [String] { loaded.entries.map(\.id) }

// MARK: - HostPattern

@Suite("Mesh: HostPattern")
struct HostPatternTests {
    @Test("a leading wildcard matches any depth below the domain, never the domain itself")
    func wildcard() {
        #expect(HostPattern.matches("*.foo.com", "a.foo.com"))
        #expect(HostPattern.matches("*.foo.com", "a.b.foo.com"))
        #expect(!HostPattern.matches("*.foo.com", "foo.com"))
        #expect(!HostPattern.matches("*.foo.com", "xfoo.com"))
        #expect(!HostPattern.matches("*.foo.com", "a.foo.com.evil.net"))
        #expect(!HostPattern.matches("*.foo.com", "a.bar.com"))
        #expect(HostPattern.matches("*", "anything.example"))
        #expect(HostPattern.isWildcard("*.foo.com"))
        #expect(!HostPattern.isWildcard("foo.com"))
    }

    @Test("a plain host matches only itself")
    func exact() {
        #expect(HostPattern.matches("api.github.com", "api.github.com"))
        #expect(!HostPattern.matches("api.github.com", "github.com"))
        #expect(!HostPattern.matches("api.github.com", "x.api.github.com"))
        #expect(!HostPattern.matches("github.com", "api.github.com"))
    }

    @Test("matching ignores case on both sides")
    func caseInsensitive() {
        #expect(HostPattern.matches("API.GitHub.com", "api.github.COM"))
        #expect(HostPattern.matches("*.Foo.COM", "A.B.foo.com"))
        #expect(!HostPattern.matches("*.FOO.com", "Foo.Com"))
    }
}

// MARK: - CIDR

@Suite("Mesh: CIDR")
struct CIDRTests {
    @Test("IPv4 /32, /24 and /0")
    func ipv4() throws {
        let host = try #require(CIDR("10.1.2.3/32"))
        #expect(host.prefix == 32)
        #expect(host.bytes == [10, 1, 2, 3])
        #expect(host.contains("10.1.2.3"))
        #expect(!host.contains("10.1.2.4"))

        let net = try #require(CIDR("192.168.1.0/24"))
        #expect(net.contains("192.168.1.0"))
        #expect(net.contains("192.168.1.255"))
        #expect(!net.contains("192.168.2.0"))
        #expect(!net.contains("192.168.0.255"))

        let all = try #require(CIDR("0.0.0.0/0"))
        #expect(all.contains("8.8.8.8"))
        #expect(all.contains("255.255.255.255"))
        #expect(!all.contains("::1"), "an IPv4 prefix never contains an IPv6 address")

        let odd = try #require(CIDR("10.0.0.0/9"))
        #expect(odd.contains("10.127.255.255"))
        #expect(!odd.contains("10.128.0.0"))
    }

    @Test("a bare address is a /32 or a /128")
    func bare() throws {
        let v4 = try #require(CIDR("203.0.113.10"))
        #expect(v4.prefix == 32)
        #expect(v4.contains("203.0.113.10"))
        #expect(!v4.contains("203.0.113.11"))
        let v6 = try #require(CIDR("2001:db8::1a"))
        #expect(v6.prefix == 128)
        #expect(v6.contains("2001:db8:0:0:0:0:0:1a"))
        #expect(!v6.contains("2001:db8::1b"))
    }

    @Test("IPv6 prefixes, bracketed addresses and IPv4-mapped tails")
    func ipv6() throws {
        let doc = try #require(CIDR("2001:db8::/32"))
        #expect(doc.prefix == 32)
        #expect(doc.bytes.count == 16)
        #expect(doc.contains("2001:db8::1a"))
        #expect(doc.contains("2001:db8:ffff:ffff::1"))
        #expect(doc.contains("[2001:db8::1a]"))
        #expect(!doc.contains("2001:db9::1"))
        #expect(!doc.contains("10.0.0.1"), "an IPv6 prefix never contains an IPv4 address")

        let mapped = try #require(CIDR("::ffff:1.2.3.4"))
        #expect(mapped.prefix == 128)
        #expect(mapped.bytes == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1, 2, 3, 4])
        #expect(mapped.contains("::ffff:102:304"))
        #expect(!mapped.contains("1.2.3.4"), "different families")

        #expect(CIDR.parse("::") == Array(repeating: 0, count: 16))
        #expect(CIDR.parse("1:2:3:4:5:6:7:8") == [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8])
        #expect(CIDR("2001:2::/48")?.contains("2001:2::f0f0:1") == true)
    }

    @Test("bad input is refused", arguments: [
        "", "not-an-ip", "1.2.3", "1.2.3.4.5", "256.1.1.1", "-1.2.3.4", "+1.2.3.4", "1.2.3.4 ",
        "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/abc", "10.0.0.0/", "/24",
        "2001:db8::/129", "1::2::3", "12345::1", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", ":::", "::ffff:1.2.3",
        "g::1", "fe80::1%eth0",
    ])
    func bad(_ text: String) {
        #expect(CIDR(text) == nil, "'\(text)' must not parse")
    }
}

// MARK: - ServiceEntry

@Suite("Mesh: ServiceEntry")
struct ServiceEntryModelTests {
    private func entry(exportTo: [String]) -> ServiceEntry {
        ServiceEntry(name: "stripe", namespace: "payments", hosts: ["api.stripe.com"],
                     ports: [.init(number: 443, protocol: "TLS", name: "tls")], exportTo: exportTo)
    }

    @Test("no exportTo exports to every namespace")
    func defaultAll() {
        let e = entry(exportTo: [])
        #expect(e.isExported(to: "payments"))
        #expect(e.isExported(to: "billing"))
        #expect(e.isExported(to: nil))
    }

    @Test("'.' exports to the entry's own namespace only")
    func dot() {
        let e = entry(exportTo: ["."])
        #expect(e.isExported(to: "payments"))
        #expect(!e.isExported(to: "billing"))
    }

    @Test("'*' exports everywhere")
    func star() {
        let e = entry(exportTo: ["*"])
        #expect(e.isExported(to: "payments"))
        #expect(e.isExported(to: "anything"))
    }

    @Test("namespace names export to exactly those namespaces (not even the own one unless listed)")
    func names() {
        let e = entry(exportTo: ["billing", "legacy"])
        #expect(e.isExported(to: "billing"))
        #expect(e.isExported(to: "legacy"))
        #expect(!e.isExported(to: "payments"))
        #expect(!e.isExported(to: "warehouse"))
        let mixed = entry(exportTo: [".", "billing"])
        #expect(mixed.isExported(to: "payments"))
        #expect(mixed.isExported(to: "billing"))
        #expect(!mixed.isExported(to: "legacy"))
    }

    @Test("an unknown caller namespace is given the benefit of the doubt")
    func unknownNamespace() {
        #expect(entry(exportTo: ["."]).isExported(to: nil))
        #expect(entry(exportTo: ["billing"]).isExported(to: nil))
    }

    @Test("ports, hosts and addresses")
    func lookups() {
        let e = ServiceEntry(name: "x", namespace: "ns", hosts: ["*.example.com", "api.other.org"], addresses: ["203.0.113.0/24"],
                             ports: [.init(number: 443, protocol: "tls", name: "tls"), .init(number: 80, protocol: "HTTP", name: "http")],
                             statusAddresses: ["240.240.0.9"])
        #expect(e.port(443)?.name == "tls")
        #expect(e.port(8443) == nil)
        #expect(e.host(matching: "a.example.com") == "*.example.com")
        #expect(e.host(matching: "api.other.org") == "api.other.org")
        #expect(e.host(matching: "example.com") == nil)
        #expect(e.addressContains("203.0.113.77"))
        #expect(e.addressContains("240.240.0.9"))
        #expect(!e.addressContains("240.240.0.10"))
        #expect(e.id == "ns/x")
        #expect(ProtocolFamily("tls") == .tls)
        #expect(ProtocolFamily("HTTPS") == .tls)
        #expect(ProtocolFamily("http2") == .http)
        #expect(ProtocolFamily("grpc") == .http)
        #expect(ProtocolFamily("tcp") == .tcp)
        #expect(ProtocolFamily("MONGO") == .tcp)
        #expect(ProtocolFamily(nil) == .tcp)
    }
}

// MARK: - ServiceEntryLoader

@Suite("Mesh: ServiceEntryLoader")
struct ServiceEntryLoaderTests {
    @Test("a multi-document stream: other kinds are skipped silently, document indices are kept")
    func multiDocument() throws {
        let text = """
            # Source: chart/templates/egress.yaml
            apiVersion: networking.istio.io/v1alpha3
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
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: not-an-entry
            data:
              hosts: "x"
            ---
            apiVersion: networking.istio.io/v1beta1
            kind: ServiceEntry
            metadata:
              name: google
              namespace: web
            spec:
              hosts: [www.google.com]
              ports: [{number: 443, name: https, protocol: HTTPS}]
              resolution: DNS
            """
        let loaded = ServiceEntryLoader().load(text: text, source: "stream.yaml")
        #expect(loaded.problems == [])
        #expect(ids(loaded) == ["challengeistio/httpbin-ext", "web/google"])
        let httpbin = try #require(loaded.entries.first)
        #expect(httpbin.apiVersion == "networking.istio.io/v1alpha3")
        #expect(httpbin.hosts == ["httpbin.org"])
        #expect(httpbin.ports == [ServiceEntry.Port(number: 443, protocol: "HTTPS", name: "https", targetPort: nil)])
        #expect(httpbin.resolution == "DNS")
        #expect(httpbin.location == "MESH_EXTERNAL")
        #expect(httpbin.exportTo == [])
        #expect(httpbin.source == "stream.yaml, document 1")
        #expect(loaded.entries[1].source == "stream.yaml, document 4")
        #expect(loaded.entries[1].apiVersion == "networking.istio.io/v1beta1")
        #expect(loaded.entries[1].location == nil)
    }

    /// What `kubectl get serviceentries -A -o yaml` prints, cut down (two items).
    static let listYAML = """
        apiVersion: v1
        items:
        - apiVersion: networking.istio.io/v1
          kind: ServiceEntry
          metadata:
            annotations:
              kubectl.kubernetes.io/last-applied-configuration: |
                {"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry","metadata":{"annotations":{},"name":"github","namespace":"bookinfo"},"spec":{"hosts":["api.github.com"],"ports":[{"name":"https","number":443,"protocol":"HTTPS"}],"resolution":"DNS"}}
            creationTimestamp: "2026-11-23T09:20:14Z"
            generation: 1
            managedFields:
            - apiVersion: networking.istio.io/v1
              fieldsType: FieldsV1
              fieldsV1:
                f:spec:
                  .: {}
                  f:hosts: {}
                  f:ports:
                    .: {}
                    k:{"name":"https"}:
                      .: {}
                      f:number: {}
              manager: kubectl-client-side-apply
              operation: Update
              time: "2026-11-23T09:20:14Z"
            name: github
            namespace: bookinfo
            resourceVersion: "48288266"
            uid: 0ba4ec5d-c434-40cf-9b1e-fffbbc740478
          spec:
            hosts:
            - api.github.com
            location: MESH_EXTERNAL
            ports:
            - name: https
              number: 443
              protocol: HTTPS
              targetPort: 8443
            - name: http
              number: 80
              protocol: HTTP
            resolution: DNS
            subjectAltNames:
            - spiffe://cluster.local/ns/bookinfo/sa/github
          status:
            addresses:
            - host: api.github.com
              value: 240.240.0.1
            - host: api.github.com
              value: 2001:2::f0f0:1
            conditions:
            - lastProbeTime: "2026-11-23T09:20:16.264Z"
              message: 42/42 proxies up to date.
              status: "True"
              type: Reconciled
            observedGeneration: "1"
        - apiVersion: networking.istio.io/v1alpha3
          kind: ServiceEntry
          metadata:
            name: mongo
            namespace: data
          spec:
            addresses:
            - 192.192.192.192/24
            endpoints:
            - address: 2.2.2.2
              ports:
                mongodb: 27019
              labels:
                zone: a
            - address: 3.3.3.3
            exportTo:
            - .
            - billing
            hosts:
            - mymongodb.somedomain
            location: MESH_INTERNAL
            ports:
            - name: mongodb
              number: 27018
              protocol: MONGO
            resolution: STATIC
            workloadSelector:
              labels:
                app: mongo
        kind: List
        metadata:
          resourceVersion: ""
        """

    static let listJSON = """
        {
            "apiVersion": "v1",
            "items": [
                {
                    "apiVersion": "networking.istio.io/v1",
                    "kind": "ServiceEntry",
                    "metadata": {
                        "annotations": {
                            "kubectl.kubernetes.io/last-applied-configuration": "{\\"apiVersion\\":\\"networking.istio.io/v1\\",\\"kind\\":\\"ServiceEntry\\"}\\n"
                        },
                        "managedFields": [
                            {
                                "apiVersion": "networking.istio.io/v1",
                                "fieldsType": "FieldsV1",
                                "fieldsV1": {"f:spec": {".": {}, "f:hosts": {}, "f:ports": {".": {}, "k:{\\"name\\":\\"https\\"}": {".": {}}}}},
                                "manager": "kubectl-client-side-apply",
                                "operation": "Update"
                            }
                        ],
                        "name": "github",
                        "namespace": "bookinfo",
                        "resourceVersion": "48288266"
                    },
                    "spec": {
                        "hosts": ["api.github.com"],
                        "location": "MESH_EXTERNAL",
                        "ports": [
                            {"name": "https", "number": 443, "protocol": "HTTPS", "targetPort": 8443},
                            {"name": "http", "number": 80, "protocol": "HTTP"}
                        ],
                        "resolution": "DNS",
                        "subjectAltNames": ["spiffe://cluster.local/ns/bookinfo/sa/github"]
                    },
                    "status": {
                        "addresses": [
                            {"host": "api.github.com", "value": "240.240.0.1"},
                            {"host": "api.github.com", "value": "2001:2::f0f0:1"}
                        ],
                        "conditions": [{"status": "True", "type": "Reconciled"}],
                        "observedGeneration": "1"
                    }
                },
                {
                    "apiVersion": "networking.istio.io/v1alpha3",
                    "kind": "ServiceEntry",
                    "metadata": {"name": "mongo", "namespace": "data"},
                    "spec": {
                        "addresses": ["192.192.192.192/24"],
                        "endpoints": [{"address": "2.2.2.2", "ports": {"mongodb": 27019}, "labels": {"zone": "a"}}, {"address": "3.3.3.3"}],
                        "exportTo": [".", "billing"],
                        "hosts": ["mymongodb.somedomain"],
                        "location": "MESH_INTERNAL",
                        "ports": [{"name": "mongodb", "number": 27018, "protocol": "MONGO"}],
                        "resolution": "STATIC",
                        "workloadSelector": {"labels": {"app": "mongo"}}
                    }
                }
            ],
            "kind": "List",
            "metadata": {"resourceVersion": ""}
        }
        """

    private func checkList(_ loaded: LoadedEntries, source: String) throws {
        #expect(loaded.problems == [])
        #expect(ids(loaded) == ["bookinfo/github", "data/mongo"])
        let github = try #require(loaded.entries.first)
        #expect(github.apiVersion == "networking.istio.io/v1")
        #expect(github.hosts == ["api.github.com"])
        #expect(github.ports == [ServiceEntry.Port(number: 443, protocol: "HTTPS", name: "https", targetPort: 8443),
                                 ServiceEntry.Port(number: 80, protocol: "HTTP", name: "http", targetPort: nil)])
        #expect(github.statusAddresses == ["240.240.0.1", "2001:2::f0f0:1"])
        #expect(github.addresses == [])
        #expect(github.subjectAltNames == ["spiffe://cluster.local/ns/bookinfo/sa/github"])
        #expect(github.location == "MESH_EXTERNAL")
        #expect(github.resolution == "DNS")
        #expect(github.exportTo == [])
        #expect(github.addressContains("240.240.0.1"))
        #expect(github.addressContains("2001:2::f0f0:1"))
        #expect(github.source == "\(source), document 1, item 1")

        let mongo = try #require(loaded.entries.last)
        #expect(mongo.apiVersion == "networking.istio.io/v1alpha3")
        #expect(mongo.addresses == ["192.192.192.192/24"])
        #expect(mongo.endpoints == [ServiceEntry.Endpoint(address: "2.2.2.2", ports: ["mongodb": 27019], labels: ["zone": "a"]),
                                    ServiceEntry.Endpoint(address: "3.3.3.3", ports: [:], labels: [:])])
        #expect(mongo.exportTo == [".", "billing"])
        #expect(mongo.location == "MESH_INTERNAL")
        #expect(mongo.resolution == "STATIC")
        #expect(mongo.workloadSelector == ["app": "mongo"])
        #expect(mongo.ports == [ServiceEntry.Port(number: 27018, protocol: "MONGO", name: "mongodb", targetPort: nil)])
        #expect(mongo.statusAddresses == [])
        #expect(mongo.source == "\(source), document 1, item 2")
    }

    @Test("kind: List as kubectl prints it (managedFields, annotations, status.addresses)")
    func kindList() throws {
        try checkList(ServiceEntryLoader().load(text: Self.listYAML, source: "list.yaml"), source: "list.yaml")
    }

    @Test("the same List as JSON")
    func kindListJSON() throws {
        try checkList(ServiceEntryLoader().load(text: Self.listJSON, source: "list.json"), source: "list.json")
    }

    @Test("a raw API ServiceEntryList whose items carry no kind")
    func typedList() {
        let text = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntryList
            items:
            - metadata: {name: a, namespace: ns}
              spec: {hosts: [a.example.com], ports: [{number: 443, name: tls, protocol: TLS}]}
            - metadata: {name: b, namespace: ns}
              spec: {hosts: [b.example.com], ports: [{number: 80, name: http, protocol: HTTP}]}
            """
        let loaded = ServiceEntryLoader().load(text: text, source: "raw.yaml")
        #expect(loaded.problems == [])
        #expect(ids(loaded) == ["ns/a", "ns/b"])
        #expect(loaded.entries.map(\.apiVersion) == ["networking.istio.io/v1", "networking.istio.io/v1"])
    }

    @Test("v1alpha3, v1beta1 and v1 read alike; other API groups are not ServiceEntries")
    func apiVersions() {
        let text = ["networking.istio.io/v1alpha3", "networking.istio.io/v1beta1", "networking.istio.io/v1", "example.com/v1"]
            .enumerated().map { i, version in
                """
                apiVersion: \(version)
                kind: ServiceEntry
                metadata:
                  name: e\(i)
                  namespace: ns
                spec:
                  hosts: [h\(i).example.com]
                  ports:
                  - number: 443
                    name: tls
                    protocol: TLS
                """
            }.joined(separator: "\n---\n")
        let loaded = ServiceEntryLoader().load(text: text, source: "versions.yaml")
        #expect(loaded.problems == [])
        #expect(ids(loaded) == ["ns/e0", "ns/e1", "ns/e2"])
        #expect(loaded.entries.map(\.apiVersion) == ["networking.istio.io/v1alpha3", "networking.istio.io/v1beta1", "networking.istio.io/v1"])
        #expect(loaded.entries.map(\.hosts) == [["h0.example.com"], ["h1.example.com"], ["h2.example.com"]])
        #expect(loaded.entries.allSatisfy { $0.ports == [ServiceEntry.Port(number: 443, protocol: "TLS", name: "tls")] })
    }

    @Test("a lower-case protocol is kept as written and understood by family")
    func lowercaseProtocol() throws {
        let text = """
            apiVersion: networking.istio.io/v1beta1
            kind: ServiceEntry
            metadata:
              name: tcp-db
              namespace: db
            spec:
              hosts: [db.internal.example]
              addresses: [192.168.100.50/32]
              ports:
              - number: 5432
                name: tcp
                protocol: tcp
              - number: 8443
                name: tls
                protocol: tls
              resolution: STATIC
              endpoints:
              - address: 192.168.100.50
            """
        let loaded = ServiceEntryLoader().load(text: text, source: "tcp.yaml")
        #expect(loaded.problems == [])
        let e = try #require(loaded.entries.first)
        #expect(e.ports.map(\.protocol) == ["tcp", "tls"])
        #expect(e.ports.map { ProtocolFamily($0.protocol) } == [.tcp, .tls])
        #expect(e.addressContains("192.168.100.50"))
        #expect(!e.addressContains("192.168.100.51"))
    }

    @Test("an entry without a namespace takes defaultNamespace; hosts are lower-cased")
    func defaultNamespace() throws {
        let text = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: no-ns
            spec:
              hosts: [API.Example.COM]
              ports: [{number: 443, name: tls, protocol: TLS}]
            """
        #expect(ids(ServiceEntryLoader().load(text: text, source: "a.yaml")) == ["default/no-ns"])
        let loaded = ServiceEntryLoader(defaultNamespace: "team-a").load(text: text, source: "a.yaml")
        #expect(ids(loaded) == ["team-a/no-ns"])
        #expect(loaded.entries.first?.hosts == ["api.example.com"])
    }

    @Test("defaultExportTo applies to entries that set no exportTo, and only to them")
    func defaultExportTo() {
        let text = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: open, namespace: a}
            spec:
              hosts: [open.example.com]
              ports: [{number: 443, name: tls, protocol: TLS}]
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: shared, namespace: a}
            spec:
              hosts: [shared.example.com]
              exportTo: ["*"]
              ports: [{number: 443, name: tls, protocol: TLS}]
            """
        let loaded = ServiceEntryLoader(defaultExportTo: ["."]).load(text: text, source: "x.yaml")
        #expect(loaded.problems == [])
        #expect(loaded.entries.map(\.exportTo) == [["."], ["*"]])
        #expect(!loaded.entries[0].isExported(to: "b"))
        #expect(loaded.entries[1].isExported(to: "b"))
        let plain = ServiceEntryLoader().load(text: text, source: "x.yaml")
        #expect(plain.entries.map(\.exportTo) == [[], ["*"]])
    }

    @Test("invalid entries among valid ones are reported with file, document, item, entry and field; the rest load")
    func invalidAmongValid() {
        let text = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: networking.istio.io/v1
              kind: ServiceEntry
              metadata: {name: good-1, namespace: ns}
              spec:
                hosts: [one.example.com]
                ports: [{number: 443, name: tls, protocol: TLS}]
            - apiVersion: networking.istio.io/v1
              kind: ServiceEntry
              metadata: {name: no-hosts, namespace: ns}
              spec:
                ports: [{number: 443, name: tls, protocol: TLS}]
            - apiVersion: networking.istio.io/v1
              kind: ServiceEntry
              metadata: {name: good-2, namespace: ns}
              spec:
                hosts: [two.example.com]
                ports: [{number: 80, name: http, protocol: HTTP}]
            - apiVersion: networking.istio.io/v1
              kind: ServiceEntry
              metadata: {name: big-port, namespace: ns}
              spec:
                hosts: [three.example.com]
                ports:
                - {number: 443, name: tls, protocol: TLS}
                - {number: 70000, name: tcp, protocol: TCP}
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: bad-address, namespace: other}
            spec:
              hosts: [four.example.com]
              addresses: [10.0.0.0/8, not-an-ip]
              ports: [{number: 5432, name: tcp, protocol: TCP}]
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: good-3, namespace: other}
            spec:
              hosts: [five.example.com]
              ports: [{number: 443, name: tls, protocol: TLS}]
            """
        let loaded = ServiceEntryLoader().load(text: text, source: "mixed.yaml")
        #expect(ids(loaded) == ["ns/good-1", "ns/good-2", "other/good-3"])
        #expect(loaded.problems.map(\.file) == ["mixed.yaml", "mixed.yaml", "mixed.yaml"])
        #expect(loaded.problems.map(\.document) == [1, 1, 2])
        #expect(loaded.problems.map(\.item) == [2, 4, nil])
        #expect(loaded.problems.map(\.entry) == ["ns/no-hosts", "ns/big-port", "other/bad-address"])
        #expect(loaded.problems.map(\.field) == ["spec.hosts", "spec.ports[1].number", "spec.addresses[1]"])
        #expect(loaded.problems.map(\.description) == [
            "mixed.yaml, document 1, item 2 (ns/no-hosts): spec.hosts: must list at least one host",
            "mixed.yaml, document 1, item 4 (ns/big-port): spec.ports[1].number: must be a port number from 1 to 65535 (found 70000)",
            "mixed.yaml, document 2 (other/bad-address): spec.addresses[1]: 'not-an-ip' is not an IP address or CIDR prefix",
        ])
    }

    @Test("a document that is not valid YAML gives one problem and no crash; documents before it still load")
    func invalidYAML() {
        let broken = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: x, namespace: ns
            spec: [unclosed
            """
        let loaded = ServiceEntryLoader().load(text: broken, source: "broken.yaml")
        #expect(loaded.entries == [])
        #expect(loaded.problems.count == 1)
        #expect(loaded.problems.first?.file == "broken.yaml")
        #expect(loaded.problems.first?.field == "syntax")

        let tail = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: ok, namespace: ns}
            spec:
              hosts: [ok.example.com]
              ports: [{number: 443, name: tls, protocol: TLS}]
            ---
            kind: ServiceEntry
            spec: {hosts: [
            """
        let partial = ServiceEntryLoader().load(text: tail, source: "tail.yaml")
        #expect(ids(partial) == ["ns/ok"])
        #expect(partial.problems.count == 1)
        #expect(partial.problems.first?.field == "syntax")
        #expect(partial.problems.first?.document == 2)

        let notYAML = ServiceEntryLoader().load(text: "{ \"kind\": \"List\", \"items\": [ }", source: "garbage.json")
        #expect(notYAML.entries == [])
        #expect(notYAML.problems.count == 1)
    }

    @Test("an alias bomb is refused by the node budget, quickly")
    func aliasBomb() {
        var lines = ["a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]"]
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("a\(level): &a\(level) [\(refs)]")
        }
        let bomb = "kind: ServiceEntry\napiVersion: networking.istio.io/v1\nmetadata: {name: bomb, namespace: ns}\n"
            + "spec:\n  hosts: [bomb.example.com]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n"
            + lines.joined(separator: "\n") + "\n"
        let start = Date()
        let loaded = ServiceEntryLoader().load(text: bomb, source: "bomb.yaml")
        let elapsed = Date().timeIntervalSince(start)
        // Expanded, the bomb is 10^10 nodes: bounded here means seconds at most, even under AddressSanitizer.
        #expect(elapsed < 10, "took \(elapsed) s")
        #expect(loaded.entries == [])
        #expect(loaded.problems.count == 1)
        #expect(loaded.problems.first?.field == "document")
        #expect(loaded.problems.first?.document == 1)
        #expect(loaded.problems.first?.message.contains("alias bomb") == true)

        // A small budget refuses a modest document; a document under budget loads.
        let small = ServiceEntryLoader(nodeBudget: 10).load(text: StreamText.one, source: "s.yaml")
        #expect(small.entries == [])
        #expect(small.problems.map(\.field) == ["document"])
        #expect(ids(ServiceEntryLoader(nodeBudget: 100).load(text: StreamText.one, source: "s.yaml")) == ["ns/one"])
    }

    @Test("the sample file loads 8 entries with their hosts, ports, exportTo and status addresses")
    func sampleFile() throws {
        let path = meshPackageRoot + "/sample-logs/entries/serviceentries.yaml"
        let loaded = ServiceEntryLoader().load(paths: [path])
        #expect(loaded.problems == [])
        #expect(loaded.files == [path])
        #expect(ids(loaded) == ["bookinfo/github", "challengeistio/httpbin-ext", "istio-system/cnn", "legacy/googleapis",
                                "legacy/legacy-ftp", "payments/datadog", "payments/stripe", "warehouse/amazonaws-wildcard"])
        #expect(loaded.entries.map(\.hosts) == [["api.github.com"], ["httpbin.org"], ["edition.cnn.com"], ["www.googleapis.com"],
                                                ["ftp.example.org"], ["*.datadoghq.com"], ["api.stripe.com"], ["*.amazonaws.com"]])
        #expect(loaded.entries.map { $0.ports.map { "\($0.number)/\($0.protocol ?? "-")/\($0.name ?? "-")" } } == [
            ["443/HTTPS/https", "80/HTTP/http"], ["443/HTTPS/https"], ["80/HTTP/http-port", "443/TLS/tls"], ["443/TLS/tls"],
            ["21/TCP/ftp"], ["443/TLS/tls"], ["443/TLS/tls"], ["443/TLS/tls"],
        ])
        #expect(loaded.entries.map(\.exportTo) == [[], [], [], [], [], ["."], [], []])
        #expect(loaded.entries.map(\.statusAddresses) == [
            ["240.240.0.1", "2001:2::f0f0:1"], ["240.240.0.2", "2001:2::f0f0:2"], ["240.240.0.3", "2001:2::f0f0:3"],
            ["240.240.0.4", "2001:2::f0f0:4"], [], [], ["240.240.0.5", "2001:2::f0f0:5"], [],
        ])
        #expect(loaded.entries.map(\.apiVersion) == [
            "networking.istio.io/v1", "networking.istio.io/v1alpha3", "networking.istio.io/v1beta1", "networking.istio.io/v1beta1",
            "networking.istio.io/v1alpha3", "networking.istio.io/v1", "networking.istio.io/v1", "networking.istio.io/v1",
        ])
        #expect(loaded.entries.map(\.resolution) == ["DNS", "DNS", "DNS", "DNS", "STATIC", "NONE", "DNS", "NONE"])
        #expect(loaded.entries.map(\.location) == ["MESH_EXTERNAL", "MESH_EXTERNAL", nil, "MESH_EXTERNAL", "MESH_EXTERNAL",
                                                   "MESH_EXTERNAL", "MESH_EXTERNAL", "MESH_EXTERNAL"])
        let ftp = loaded.entries[4]
        #expect(ftp.addresses == ["203.0.113.10/32"])
        #expect(ftp.endpoints == [ServiceEntry.Endpoint(address: "203.0.113.10", ports: [:], labels: [:])])
        #expect(loaded.entries[7].source == path + ", document 1, item 8")
    }

    @Test("folders and missing paths")
    func paths() throws {
        let scratch = try TestFolder("mesh-tests")
        let folder = scratch.path
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        try StreamText.one.write(toFile: folder + "/sub/one.yml", atomically: true, encoding: .utf8)
        try "not: an entry\n".write(toFile: folder + "/readme.txt", atomically: true, encoding: .utf8)
        try ServiceEntryLoaderTests.listJSON.write(toFile: folder + "/list.json", atomically: true, encoding: .utf8)
        let loaded = ServiceEntryLoader().load(paths: [folder, folder + "/missing.yaml"])
        #expect(loaded.files == [folder + "/list.json", folder + "/sub/one.yml"])
        #expect(ids(loaded) == ["bookinfo/github", "data/mongo", "ns/one"])
        #expect(loaded.problems.map(\.file) == [folder + "/missing.yaml"])
        #expect(loaded.problems.map(\.document) == [0])
    }
}

private enum StreamText {
    static let one = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: one, namespace: ns}
        spec:
          hosts: [one.example.com]
          ports: [{number: 443, name: tls, protocol: TLS}]
        """
}
