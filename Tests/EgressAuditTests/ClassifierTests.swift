import Testing
@testable import EgressAudit

/// B4 (istio#33281, Istio 1.9.5 default JSON) with some members replaced (raw JSON value text),
/// keys kept in the proxy's order: isolates one signal at a time in a real line shape.
private func b4(_ overrides: [String: String]) -> String {
    var members = JSONFormatTests.b4Members
    for i in members.indices {
        if let v = overrides[members[i].0] { members[i].1 = v }
    }
    return "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
}

/// Replaces exactly one occurrence of `old` in `line` (a test failure otherwise).
private func replacing(_ old: String, with new: String, in line: String) -> String {
    let parts = line.components(separatedBy: old)
    #expect(parts.count == 2, "'\(old)' must occur once")
    return parts.joined(separator: new)
}

@Suite("Classification rules")
struct ClassifierTests {

    // MARK: Direction: inbound

    @Test("Inbound: inbound|<port>|| cluster (1.8+ naming; #31555 line, no other inbound signal)")
    func inboundNewNaming() throws {
        let line = #"[2021-03-16T09:30:47.919Z] "- - -" 0 UF,URX - - "-" 0 0 2285 - "-" "-" "-" "-" "127.0.0.1:12950" inbound|12950|| - 10.244.0.31:12950 10.244.0.1:11504 - -"#
        let c = try classifyLine(line)
        #expect(c.direction == "inbound")
        #expect(c.verdict == nil)
        #expect(c.cluster == "inbound|12950||")
        for real in [Lines.i2, Lines.i3, Lines.i4, Lines.i5] {
            #expect(try classifyLine(real).direction == "inbound")
        }
    }

    @Test("Inbound: inbound|<port>|<name>|<host> cluster (≤1.7 naming; #24095 line)")
    func inboundOldNaming() throws {
        let line = #"[2020-05-27T07:05:41.663Z] "POST /operate HTTP/1.1" 0 DC "-" 13 0 10481 - "-" "curl/7.58.0" "7797e6c3-e625-9a52-a185-690cb04d97f7" "172.16.3.51:32354" "127.0.0.1:6666" inbound|6666|http|istio-mesh.istio-testing.svc.cluster.local - 10.244.2.136:6666 10.244.0.0:34052 -"#
        let c = try classifyLine(line)
        #expect(c.layout == "istio-1.1")
        #expect(c.direction == "inbound")
        #expect(try classifyLine(Lines.i1).direction == "inbound")
    }

    @Test("Inbound: InboundPassthroughCluster, -Ipv4 and -Ipv6")
    func inboundPassthrough() throws {
        #expect(try classifyLine(Lines.json13InboundPassthrough).direction == "inbound")
        // The #17139 line without its other inbound signal (127.0.0.6 upstream local address).
        let noLocal = replacing(#""upstream_local_address":"127.0.0.6:60615""#, with: #""upstream_local_address":"-""#, in: Lines.json13InboundPassthrough)
        for name in ["InboundPassthroughClusterIpv4", "InboundPassthroughClusterIpv6", "InboundPassthroughCluster"] {
            let line = replacing("InboundPassthroughClusterIpv4", with: name, in: noLocal)
            let c = try classifyLine(line)
            #expect(c.direction == "inbound", "\(name)")
        }
    }

    @Test("Inbound: upstream local address 127.0.0.6 or 127.0.0.1, whatever the cluster")
    func inboundByUpstreamLocal() throws {
        // I4 with its cluster unknown: the 127.0.0.6 source alone marks it inbound.
        let i4 = replacing(" inbound|80|| ", with: " - ", in: Lines.i4)
        #expect(try classifyLine(i4).direction == "inbound")
        // I3 (127.0.0.1) with cluster and SNI unknown.
        var i3 = replacing(" inbound|8000|| ", with: " - ", in: Lines.i3)
        i3 = replacing(" outbound_.8000_._.httpbin.foo.svc.cluster.local ", with: " - ", in: i3)
        #expect(try classifyLine(i3).direction == "inbound")
        // A pod address starting 127.0.0.6x is no loopback source.
        let notLoopback = replacing("10.122.158.52:50958", with: "127.0.0.60:50958", in: Lines.s3)
        #expect(try classifyLine(notLoopback).direction == "outbound")
    }

    @Test("Inbound: Istio mTLS SNI outbound_.…, with and without Envoy's invalid: prefix")
    func inboundBySNI() throws {
        // I3 with cluster and upstream local address unknown: only the SNI is left.
        var line = replacing(" inbound|8000|| 127.0.0.1:41854 ", with: " - - ", in: Lines.i3)
        #expect(try classifyLine(line).direction == "inbound")
        // After Envoy's CVE-2024-45808 fix the SNI is printed as invalid:outbound_.… (envoy#36375).
        line = replacing(" outbound_.8000_._.", with: " invalid:outbound_.8000_._.", in: line)
        #expect(try classifyLine(line).direction == "inbound")
        // The same on an RBAC denial received by a sidecar (PR istio#27903 example): inbound, not a block.
        let rbacInbound = #"[2020-10-29T03:25:20.162Z] "GET /headers HTTP/1.1" 403 - rbac_access_denied_matched_policy[none] - "-" 0 19 0 - "-" "curl/7.73.0-DEV" "07541777-6ee2-908f-a78b-867fe257ac80" "httpbin:8000" "-" - - 172.17.0.7:80 172.17.0.6:60898 outbound_.8000_._.httpbin.foo.svc.cluster.local -"#
        #expect(try classifyLine(rbacInbound).direction == "inbound")
    }

    // MARK: Blocked

    @Test("Blocked: BlackHoleCluster with UH (TCP/TLS under REGISTRY_ONLY)")
    func blockedBlackHole() throws {
        let b2 = try classifyLine(Lines.b2)
        #expect(b2.direction == "outbound")
        #expect(b2.verdict == "blocked")
        #expect(b2.cluster == "BlackHoleCluster")
        #expect(b2.destHost == nil)
        #expect(b2.destIP == "180.97.34.94")
        #expect(b2.destPort == "443")
        #expect(b2.proto == "tcp")
        #expect(b2.sourceIP == "10.122.158.52")
        let b3 = try classifyLine(Lines.b3)
        #expect(b3.verdict == "blocked")
        #expect(b3.destIP == "36.25.253.224")
        // istio#51178, verbatim: a BlackHole line that did carry the SNI.
        let withSNI = try classifyLine(#"[2023-04-24T15:57:17.434Z] "- - -" 0 UH - - "-" 0 0 0 - "-" "-" "-" "-" "-" BlackHoleCluster - 142.250.217.115:443 10.52.97.65:58576 sqa.ory.sh -"#)
        #expect(withSNI.verdict == "blocked")
        #expect(withSNI.destHost == "sqa.ory.sh")
        #expect(withSNI.sni == "sqa.ory.sh")
        #expect(withSNI.proto == "tls")
        #expect(withSNI.destIP == "142.250.217.115")
    }

    @Test("Blocked: HTTP 502 direct_response on route block_all with cluster - (B1)")
    func blockedBlockAll() throws {
        let c = try classifyLine(Lines.b1)
        #expect(c.verdict == "blocked")
        #expect(c.cluster == nil)
        #expect(c.destHost == "www.baidu.com")
        #expect(c.destIP == "180.97.34.94")
        #expect(c.destPort == "80")
        #expect(c.proto == "http")
        let b1b = try classifyLine(Lines.b1b)
        #expect(b1b.verdict == "blocked")
        #expect(b1b.destHost == "www.tencent.com")
        #expect(b1b.destIP == "36.25.253.224")
    }

    @Test("Blocked: 502 with route - and no details (Istio 1.3–1.5), and 1.2 with no route column")
    func blocked502WithoutRouteName() throws {
        // Expected shape per the reference (§2(a): 1.3–1.5 print route `-`, no details column); not observed verbatim.
        let line13 = #"[2020-03-06T18:12:35.412Z] "GET / HTTP/1.1" 502 - "-" "-" 0 0 0 - "-" "curl/7.64.0" "d4b3c8a1-0c3e-9b5c-8a6f-1f2e3d4c5b6a" "www.baidu.com" "-" - - 180.97.34.94:80 10.0.0.93:39850 - -"#
        let c = try classifyLine(line13)
        #expect(c.layout == "istio-1.3")
        #expect(c.verdict == "blocked")
        #expect(c.destHost == "www.baidu.com")
        #expect(c.destIP == "180.97.34.94")
        let line12 = #"[2019-09-03T05:40:12.118Z] "GET / HTTP/1.1" 502 - "-" "-" 0 0 0 - "-" "curl/7.64.0" "0c5d9e1a-7b2f-9c3d-8e4f-5a6b7c8d9e0f" "www.baidu.com" "-" - - 180.97.34.94:80 10.0.0.93:39852 -"#
        let c12 = try classifyLine(line12)
        #expect(c12.layout == "istio-1.2")
        #expect(c12.verdict == "blocked")
        // A 502 that reached an upstream, or carried a failure flag, is no refusal.
        let upstreamFailure = replacing(#" 502 - "-" "-" "#, with: #" 502 UF "-" "-" "#, in: line13)
        #expect(try classifyLine(upstreamFailure).direction == "unrouted")
    }

    @Test("Blocked: pre-1.2 404 NR with no cluster")
    func blocked404NR() throws {
        // S1's request as a 1.1 pre-release proxy answered it with no ServiceEntry (istio#7669: "404").
        let line = #"[2019-01-24T12:17:11.640Z] "GET /headers HTTP/1.1" 404 NR 0 0 0 - "-" "curl/7.60.0" "17fde8f7-fa62-9b39-8999-302324e6def2" "httpbin.org" "-" - - 35.173.6.94:80 172.30.109.82:55314 -"#
        let c = try classifyLine(line)
        #expect(c.layout == "istio-1.1-snapshot")
        #expect(c.verdict == "blocked")
        #expect(c.destHost == "httpbin.org")
        #expect(c.destIP == "35.173.6.94")
        #expect(c.destPort == "80")
    }

    @Test("Blocked: JSON with UH, code 0, null cluster and null upstream host (B4)")
    func blockedJSONNullCluster() throws {
        let c = try classifyLine(Lines.b4)
        #expect(c.layout == "json")
        #expect(c.verdict == "blocked")
        #expect(c.cluster == nil)
        #expect(c.destHost == nil)
        #expect(c.destIP == "13.249.75.75")
        #expect(c.destPort == "443")
        #expect(c.proto == "tcp")
        #expect(c.sourceIP == "172.17.3.28")
        // Each condition is needed: an upstream host, a non-zero code or no UH make it unrouted.
        #expect(try classifyLine(b4(["upstream_host": #""13.249.75.75:443""#])).direction == "unrouted")
        #expect(try classifyLine(b4(["response_code": "503"])).direction == "unrouted")
        #expect(try classifyLine(b4(["response_flags": "null"])).direction == "unrouted")
        // String-typed variant (1.3-era encoding) reads the same.
        #expect(try classifyLine(b4(["response_code": #""0""#, "upstream_cluster": #""-""#, "upstream_host": #""-""#])).verdict == "blocked")
    }

    @Test("Blocked: 403 rbac_access_denied_matched_policy[…] at an egress gateway (G6)")
    func blockedRBAC() throws {
        let c = try classifyLine(Lines.g6)
        #expect(c.verdict == "blocked")
        #expect(c.cluster == "outbound|443||developer.yahoo.com")
        #expect(c.destHost == "developer.yahoo.com")
        #expect(c.destIP == "10.100.2.6")
        #expect(c.destPort == "8080")
        #expect(c.sourceIP == "10.100.0.6")
        // A 403 from the destination itself is an allowed call.
        let upstream403 = replacing(" 403 - rbac_access_denied_matched_policy[ns[istio-system]-policy[external-deny-developer-yahoo-com]-rule[0]] ",
                                    with: " 403 - via_upstream ", in: Lines.g6)
        let allowed = try classifyLine(upstream403)
        #expect(allowed.verdict == "allowed")
        #expect(allowed.destHost == "developer.yahoo.com")
    }

    // MARK: Passthrough

    @Test("Passthrough: PassthroughCluster (TCP/TLS, P1 and P2)")
    func passthroughCluster() throws {
        let p1 = try classifyLine(Lines.p1)
        #expect(p1.verdict == "passthrough")
        #expect(p1.cluster == "PassthroughCluster")
        #expect(p1.destHost == nil)
        #expect(p1.destIP == "180.97.34.96")
        #expect(p1.destPort == "443")
        #expect(p1.proto == "tcp")
        let p2 = try classifyLine(Lines.p2)
        #expect(p2.layout == "istio-1.3")
        #expect(p2.verdict == "passthrough")
        #expect(p2.destIP == "1.2.3.4")
        // istio#31555, verbatim: an Oracle connection left through PassthroughCluster.
        let oracle = try classifyLine(#"[2021-03-16T09:29:27.498Z] "- - -" 0 - - - "-" 6238 6291 84 - "-" "-" "-" "-" "100.77.28.132:1521" PassthroughCluster 10.244.0.31:50844 100.77.28.132:1521 10.244.0.31:50842 - -"#)
        #expect(oracle.verdict == "passthrough")
        #expect(oracle.destPort == "1521")
    }

    @Test("Passthrough: HTTP route allow_any (and ALLOW_ANY_DYNAMIC_DNS)")
    func passthroughAllowAny() throws {
        // Shaped like B1/S5 as an ALLOW_ANY mesh prints them: route allow_any to PassthroughCluster.
        let line = #"[2022-04-26T13:16:40.117Z] "GET / HTTP/1.1" 200 - via_upstream - "-" 0 2381 35 33 "-" "curl/7.81.0-DEV" "5b2f7c1e-3d4a-9b8c-a1e2-f3d4c5b6a798" "www.baidu.com" "180.97.34.94:80" PassthroughCluster 10.122.158.52:52262 180.97.34.94:80 10.122.158.52:54490 - allow_any"#
        let c = try classifyLine(line)
        #expect(c.verdict == "passthrough")
        #expect(c.destHost == "www.baidu.com")
        #expect(c.destIP == "180.97.34.94")
        #expect(c.proto == "http")
        // The route name alone decides (cluster printed as `-`).
        let routeOnly = replacing(" PassthroughCluster ", with: " - ", in: line)
        #expect(try classifyLine(routeOnly).verdict == "passthrough")
        let dynamic = replacing(" PassthroughCluster ", with: " AllowAnyDynamicDNSCluster ", in: line)
        #expect(try classifyLine(replacing(" allow_any", with: " allow_any_dynamic_dns", in: dynamic)).verdict == "passthrough")
    }

    // MARK: Internal

    @Test("Internal: outbound|9080||reviews.default.svc.cluster.local (M3) and the other in-mesh lines")
    func internalCalls() throws {
        let c = try classifyLine(Lines.m3)
        #expect(c.verdict == "internal")
        #expect(c.destHost == "reviews.default.svc.cluster.local")
        #expect(c.destIP == "10.104.97.115")
        #expect(c.destPort == "9080")
        #expect(c.proto == "http")
        #expect(c.cluster == "outbound|9080||reviews.default.svc.cluster.local")
        let expected: [(String, String)] = [
            (Lines.m1, "httpbin.default.svc.cluster.local"), (Lines.m2, "httpbin.foo.svc.cluster.local"),
            (Lines.m4, "httpbin.default.svc.cluster.local"), (Lines.m5, "hello-world.default.svc.cluster.local"),
        ]
        for (line, host) in expected {
            let m = try classifyLine(line)
            #expect(m.verdict == "internal")
            #expect(m.destHost == host)
        }
    }

    @Test("Internal: a custom cluster domain (ClassifierConfig(clusterDomain: \"corp.internal\"))")
    func customClusterDomain() throws {
        let line = replacing("reviews.default.svc.cluster.local", with: "reviews.default.svc.corp.internal", in: Lines.m3)
        let custom = ClassifierConfig(clusterDomain: "corp.internal")
        let c = try classifyLine(line, config: custom)
        #expect(c.verdict == "internal")
        #expect(c.destHost == "reviews.default.svc.corp.internal")
        // Without the setting the host looks external.
        let plain = try classifyLine(line)
        #expect(plain.verdict == "allowed")
        #expect(plain.destHost == "reviews.default.svc.corp.internal")
        // With the setting, cluster.local is no longer the mesh's domain.
        #expect(try classifyLine(Lines.m3, config: custom).verdict == "allowed")
        // The domain is matched case-insensitively.
        #expect(try classifyLine(line, config: ClassifierConfig(clusterDomain: "Corp.Internal")).verdict == "internal")
    }

    // MARK: Allowed

    @Test("Allowed: outbound|443||www.google.com (destination = cluster host)")
    func allowedServiceEntry() throws {
        let s2 = try classifyLine(Lines.s2)
        #expect(s2.verdict == "allowed")
        #expect(s2.destHost == "www.google.com")
        #expect(s2.sni == "www.google.com")
        #expect(s2.proto == "tls")
        #expect(s2.destIP == "172.217.161.36")
        #expect(s2.destPort == "443")
        #expect(s2.cluster == "outbound|443||www.google.com")
        let s1 = try classifyLine(Lines.s1)
        #expect(s1.verdict == "allowed")
        #expect(s1.destHost == "httpbin.org")
        #expect(s1.proto == "http")
        // S3 and S5: the dialed address, not Envoy's own DNS answer (upstream host).
        let s3 = try classifyLine(Lines.s3)
        #expect(s3.destIP == "34.197.247.180")
        let s5 = try classifyLine(Lines.s5)
        #expect(s5.verdict == "allowed")
        #expect(s5.destHost == "www.baidu.com")
        #expect(s5.destIP == "180.97.34.94")
        let s4 = try classifyLine(Lines.s4)
        #expect(s4.verdict == "allowed")
        #expect(s4.destHost == "www.tencent.com")
        #expect(s4.proto == "tls")
    }

    @Test("Allowed: the cluster host wins over a different SNI or authority")
    func clusterHostWins() throws {
        let line = replacing(" www.google.com", with: " mail.google.com", in: Lines.s2)
        let c = try classifyLine(line)
        #expect(c.verdict == "allowed")
        #expect(c.sni == "mail.google.com")
        #expect(c.destHost == "www.google.com")
    }

    @Test("Allowed: wildcard ServiceEntry outbound|443||*.wikipedia.org (destination = SNI)")
    func allowedWildcard() throws {
        // S4's shape with the wildcard SE cluster of istio.io's wildcard-egress-hosts task.
        let line = #"[2022-04-26T13:40:19.596Z] "- - -" 0 - - - "-" 908 4986 99 - "-" "-" "-" "-" "208.80.154.224:443" outbound|443||*.wikipedia.org 10.122.158.52:54278 208.80.154.224:443 10.122.158.52:54276 en.wikipedia.org -"#
        let c = try classifyLine(line)
        #expect(c.verdict == "allowed")
        #expect(c.cluster == "outbound|443||*.wikipedia.org")
        #expect(c.destHost == "en.wikipedia.org")
        #expect(c.destIP == "208.80.154.224")
        // Plain HTTP to a wildcard entry: the authority names the host.
        let http = #"[2022-04-26T13:41:02.018Z] "GET /wiki/Main_Page HTTP/1.1" 301 - via_upstream - "-" 0 0 45 44 "-" "curl/7.81.0-DEV" "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901" "de.wikipedia.org:80" "208.80.154.224:80" outbound|80||*.wikipedia.org 10.122.158.52:54300 208.80.154.224:80 10.122.158.52:54298 - default"#
        let h = try classifyLine(http)
        #expect(h.verdict == "allowed")
        #expect(h.destHost == "de.wikipedia.org")
    }

    @Test("Allowed: through the egress gateway (sidecar line with SNI edition.cnn.com)")
    func allowedEgressGateway() throws {
        // The sidecar side of G5: TLS to the gateway service, SNI of the real destination.
        let line = #"[2024-01-11T21:09:42.830Z] "- - -" 0 - - - "-" 839 2504306 240 - "-" "-" "-" "-" "172.30.239.8:443" outbound|443||istio-egressgateway.istio-system.svc.cluster.local 172.30.239.15:43956 151.101.195.5:443 172.30.239.15:43950 edition.cnn.com -"#
        let c = try classifyLine(line)
        #expect(c.verdict == "allowed")
        #expect(c.destHost == "edition.cnn.com")
        #expect(c.destIP == "151.101.195.5")
        #expect(c.cluster == "outbound|443||istio-egressgateway.istio-system.svc.cluster.local")
        // HTTP with a DestinationRule subset (engarde#8's record as a 1.3 text line): authority names the host.
        let http = #"[2020-05-13T22:03:44.187Z] "GET /headers HTTP/1.1" 200 - "-" "-" 0 770 26 26 "-" "curl/7.64.0" "f097c809-302a-48fd-984f-445fe529d68a" "httpbin.org" "10.0.4.13:80" outbound|80|example|istio-egressgateway.istio-system.svc.cluster.local - 35.170.216.115:80 10.0.0.93:39850 - -"#
        let h = try classifyLine(http)
        #expect(h.verdict == "allowed")
        #expect(h.destHost == "httpbin.org")
        #expect(h.destIP == "35.170.216.115")
        // Naming the gateway itself names no external host.
        let selfNamed = replacing(#""httpbin.org""#, with: #""istio-egressgateway.istio-system.svc.cluster.local""#, in: http)
        let s = try classifyLine(selfNamed)
        #expect(s.verdict == "allowed")
        #expect(s.destHost == nil)
        // Any service whose first label says egress-gateway counts.
        let dashed = replacing("istio-egressgateway.istio-system", with: "corp-egress-gateway.infra", in: line)
        #expect(try classifyLine(dashed).destHost == "edition.cnn.com")
        // The egress gateway's own line (G5) is an ordinary allowed call to the SE host.
        let g5 = try classifyLine(Lines.g5)
        #expect(g5.verdict == "allowed")
        #expect(g5.destHost == "edition.cnn.com")
    }

    @Test("Allowed: a custom egress gateway host via egressGatewayHosts")
    func customEgressGateway() throws {
        let line = #"[2024-01-11T21:09:42.830Z] "- - -" 0 - - - "-" 839 2504306 240 - "-" "-" "-" "-" "172.30.239.9:443" outbound|443||egress-proxy.infra.svc.cluster.local 172.30.239.15:43956 151.101.195.5:443 172.30.239.15:43950 edition.cnn.com -"#
        let plain = try classifyLine(line)
        #expect(plain.verdict == "internal")
        #expect(plain.destHost == "egress-proxy.infra.svc.cluster.local")
        for host in ["egress-proxy.infra.svc.cluster.local", "Egress-Proxy.INFRA.svc.cluster.local"] {
            let c = try classifyLine(line, config: ClassifierConfig(egressGatewayHosts: [host]))
            #expect(c.verdict == "allowed")
            #expect(c.destHost == "edition.cnn.com")
        }
        // Another configured host does not turn this one into a gateway.
        #expect(try classifyLine(line, config: ClassifierConfig(egressGatewayHosts: ["egress-proxy.other.svc.cluster.local"])).verdict == "internal")
    }

    // MARK: Destination

    @Test("Destination: SNI before authority")
    func sniBeforeAuthority() throws {
        let line = replacing(#""developer.yahoo.com" "-""#, with: #""www.yahoo.com:443" "-""#, in: Lines.g6)
        let c = try classifyLine(line)
        #expect(c.verdict == "blocked")
        #expect(c.destHost == "developer.yahoo.com")
        // With no SNI the authority is used.
        let noSNI = replacing(" developer.yahoo.com -", with: " - -", in: line)
        #expect(try classifyLine(noSNI).destHost == "www.yahoo.com")
    }

    @Test("Destination: authority port stripped and lower-cased; IP literals name no host")
    func authorityNormalised() throws {
        let base = #"[2022-04-26T13:16:40.117Z] "GET / HTTP/1.1" 200 - via_upstream - "-" 0 2381 35 33 "-" "curl/7.81.0-DEV" "5b2f7c1e-3d4a-9b8c-a1e2-f3d4c5b6a798" "AUTHORITY" "180.97.34.94:8080" PassthroughCluster 10.122.158.52:52262 180.97.34.94:8080 10.122.158.52:54490 - allow_any"#
        let cases: [(String, String?)] = [
            ("HTTPBin.ORG:8080", "httpbin.org"),
            ("httpbin.org", "httpbin.org"),
            ("WWW.Example.COM", "www.example.com"),
            ("93.184.216.34:8080", nil),
            ("93.184.216.34", nil),
            ("[2001:db8::1]:8080", nil),
            ("[2001:db8::1]", nil),
            ("-", nil),
        ]
        for (authority, host) in cases {
            let c = try classifyLine(replacing("AUTHORITY", with: authority, in: base))
            #expect(c.verdict == "passthrough")
            #expect(c.destHost == host, "\(authority)")
            #expect(c.destPort == "8080")
        }
    }

    @Test("Destination: one trailing ; is stripped from the cluster (1.23–1.24 %UPSTREAM_CLUSTER%)")
    func trailingSemicolon() throws {
        let s3 = try classifyLine(replacing("outbound|80||httpbin.org ", with: "outbound|80||httpbin.org; ", in: Lines.s3))
        #expect(s3.cluster == "outbound|80||httpbin.org")
        #expect(s3.verdict == "allowed")
        #expect(s3.destHost == "httpbin.org")
        // istio#54219: the default JSON format of 1.23.0–1.23.3 / 1.24.0–1.24.1.
        let json = try classifyLine(b4(["upstream_cluster": #""BlackHoleCluster;""#]))
        #expect(json.cluster == "BlackHoleCluster")
        #expect(json.verdict == "blocked")
        #expect(try classifyLine(replacing(" PassthroughCluster ", with: " PassthroughCluster; ", in: Lines.p1)).verdict == "passthrough")
        #expect(try classifyLine(replacing(" outbound|9080||reviews.default.svc.cluster.local ", with: " outbound|9080||reviews.default.svc.cluster.local; ", in: Lines.m3)).destHost == "reviews.default.svc.cluster.local")
        #expect(try classifyLine(replacing(" inbound|12950|| ", with: " inbound|12950||; ", in: #"[2021-03-16T09:30:47.919Z] "- - -" 0 UF,URX - - "-" 0 0 2285 - "-" "-" "-" "-" "127.0.0.1:12950" inbound|12950|| - 10.244.0.31:12950 10.244.0.1:11504 - -"#)).direction == "inbound")
    }

    @Test("Destination: invalid: stripped from the SNI, which is lower-cased")
    func sniNormalised() throws {
        // A BlackHole TLS line whose client sent an SNI Envoy had to sanitize (≥1.31.2).
        let line = #"[2024-11-05T10:12:44.301Z] "- - -" 0 UH - - "-" 0 0 1 - "-" "-" "-" "-" "-" BlackHoleCluster - 142.250.217.115:443 10.52.97.65:58580 invalid:legacy_api.example.com -"#
        let c = try classifyLine(line)
        #expect(c.verdict == "blocked")
        #expect(c.sni == "legacy_api.example.com")
        #expect(c.destHost == "legacy_api.example.com")
        #expect(c.proto == "tls")
        let upper = try classifyLine(replacing(" invalid:legacy_api.example.com ", with: " Legacy.Example.COM ", in: line))
        #expect(upper.sni == "legacy.example.com")
        #expect(upper.destHost == "legacy.example.com")
    }

    @Test("Destination: IP and port from the downstream local address, IPv6 included")
    func destinationAddress() throws {
        let line = #"[2022-04-26T13:40:19.596Z] "- - -" 0 - - - "-" 908 4986 99 - "-" "-" "-" "-" "[2001:db8::1]:443" outbound|443||www.tencent.com [fd00:10:244::1a]:54278 [2001:db8::1]:443 [fd00:10:244::1a]:54276 www.tencent.com -"#
        let c = try classifyLine(line)
        #expect(c.verdict == "allowed")
        #expect(c.destIP == "2001:db8::1")
        #expect(c.destPort == "443")
        #expect(c.sourceIP == "fd00:10:244::1a")
        // An auto-allocated VIP (istio#51178 JSON) is still the destination address.
        let vip = try classifyLine(b4(["downstream_local_address": #""240.240.180.115:81""#]))
        #expect(vip.destIP == "240.240.180.115")
        #expect(vip.destPort == "81")
    }

    @Test("Protocol: http when the proxy parsed HTTP, tls with an SNI, tcp otherwise")
    func protocols() throws {
        #expect(try classifyLine(Lines.s3).proto == "http")
        #expect(try classifyLine(Lines.s4).proto == "tls")
        #expect(try classifyLine(Lines.b2).proto == "tcp")
        #expect(try classifyLine(Lines.p1).proto == "tcp")
        #expect(try classifyLine(Lines.g1).proto == "http")
        // PR istio#27903: "- - HTTP/1.1" 400 DPE — the method is unknown but HTTP was parsed; no cluster.
        let dpe = try classifyLine(#"[2020-10-29T03:24:13.520Z] "- - HTTP/1.1" 400 DPE http1.codec_error - "-" 0 11 0 - "-" "-" "-" "-" "-" - - 172.17.0.7:80 172.17.0.6:60214 - -"#)
        #expect(dpe.proto == "http")
        #expect(dpe.direction == "unrouted")
    }

    @Test("Unrouted: a call that never reached a cluster and is no refusal")
    func unrouted() throws {
        let line = #"[2022-04-26T13:20:01.500Z] "GET /slow HTTP/1.1" 0 DC downstream_remote_disconnect - "-" 0 0 1500 - "-" "curl/7.81.0-DEV" "0f4b1c2d-3e4f-5a6b-7c8d-9e0f1a2b3c4d" "httpbin.org" "-" - - 34.197.247.180:80 10.122.158.52:48600 - -"#
        let c = try classifyLine(line)
        #expect(c.direction == "unrouted")
        #expect(c.verdict == nil)
    }

    @Test("Another cluster shape (custom egress proxy): trust the named host")
    func otherClusterShape() throws {
        let line = replacing(" outbound|80||httpbin.org ", with: " egress-squid ", in: Lines.s3)
        let c = try classifyLine(line)
        #expect(c.verdict == "allowed")
        #expect(c.destHost == "httpbin.org")
        let inMesh = replacing(#""httpbin.org""#, with: #""reviews.default.svc.cluster.local:9080""#, in: line)
        let m = try classifyLine(inMesh)
        #expect(m.verdict == "internal")
        #expect(m.destHost == "reviews.default.svc.cluster.local")
    }

    // MARK: Flags

    @Test("Response flags match by whole comma-separated token")
    func flagTokens() throws {
        let cases: [(String, String)] = [
            ("UH", "blocked"), ("UF,UH", "blocked"), ("UH,URX", "blocked"), ("UHX,UH", "blocked"),
            ("UHX", "unrouted"), ("XUH", "unrouted"), ("DUH", "unrouted"), ("UF,URX", "unrouted"), ("DC", "unrouted"),
            ("NR", "blocked"), ("DC,NR", "blocked"), ("NRX", "unrouted"), ("UMSDR", "unrouted"), ("NFCF", "unrouted"),
        ]
        for (flags, outcome) in cases {
            let c = try classifyLine(b4(["response_flags": "\"\(flags)\""]))
            #expect((c.verdict ?? c.direction) == outcome, "flags \(flags)")
        }
    }

    @Test("Long values are lower-cased correctly (scratch grows)")
    func longValues() throws {
        let label = String(repeating: "A", count: 63)
        let host = Array(repeating: label, count: 80).joined(separator: ".") + ".COM"
        let line = b4(["requested_server_name": "\"\(host)\"", "authority": "\"\(host):443\"", "upstream_cluster": "\"BlackHoleCluster\""])
        let c = try classifyLine(line)
        #expect(c.verdict == "blocked")
        #expect(c.sni == host.lowercased())
        #expect(c.destHost == host.lowercased())
    }

    // MARK: Cluster names and endpoints

    @Test("ClusterName.outbound and normalized")
    func clusterNames() {
        func outbound(_ s: String) -> (Int64, String, String)? {
            withSlice(s) { slice in
                ClusterName.outbound(slice).map { ($0.port, $0.subset.string ?? "", $0.host.string ?? "") }
            }
        }
        #expect(outbound("outbound|80|example|istio-egressgateway.istio-system.svc.cluster.local").map { "\($0.0) \($0.1) \($0.2)" }
                == "80 example istio-egressgateway.istio-system.svc.cluster.local")
        #expect(outbound("outbound|443||*.wikipedia.org").map { "\($0.0) \($0.1) \($0.2)" } == "443  *.wikipedia.org")
        #expect(outbound("inbound|8000||") == nil)
        #expect(outbound("outbound|443") == nil)
        #expect(outbound("outbound_.8000_._.httpbin.default.svc.cluster.local") == nil)
        #expect(outbound("PassthroughCluster") == nil)

        func normalized(_ s: String) -> String? { withSlice(s) { ClusterName.normalized($0).string } }
        #expect(normalized("outbound|443||www.google.com;") == "outbound|443||www.google.com")
        #expect(normalized("outbound|443||www.google.com") == "outbound|443||www.google.com")
        #expect(normalized("BlackHoleCluster;;") == "BlackHoleCluster;")
        #expect(normalized(";") == nil)
        #expect(ClusterName.normalized(.absent).isAbsent)
    }

    @Test("Endpoint.split edge cases")
    func endpointSplit() {
        func split(_ s: String) -> String {
            withSlice(s) { slice in
                let (host, port) = Endpoint.split(slice)
                return "\(host.string ?? "nil") \(port)"
            }
        }
        #expect(split("1.2.3.4:443") == "1.2.3.4 443")
        #expect(split("[2001:db8::1]:443") == "2001:db8::1 443")
        #expect(split("[2001:db8::1]") == "2001:db8::1 -1")
        #expect(split("[2001:db8::1") == "[2001:db8::1 -1")
        #expect(split("2001:db8::1") == "2001:db8::1 -1")
        #expect(split("fd00:10:244::1a:9000") == "fd00:10:244::1a:9000 -1")
        #expect(split("1.2.3.4") == "1.2.3.4 -1")
        #expect(split("httpbin:8000") == "httpbin 8000")
        #expect(split("HTTPBin.ORG:8080") == "HTTPBin.ORG 8080")
        #expect(split("host:") == "host: -1")
        #expect(split("host:http") == "host:http -1")
        #expect(split("tcp://10.0.2.1:80") == "tcp://10.0.2.1:80 -1")
        #expect(split("/var/run/app.sock") == "/var/run/app.sock -1")
        #expect(split("0.0.0.0:15001") == "0.0.0.0 15001")
        #expect(split("") == "nil -1")
        #expect(Endpoint.split(.absent).host.isAbsent)
        #expect(Endpoint.split(.absent).port == -1)
        #expect(split("outbound-gateway.istio-system.svc.cluster.local:15443") == "outbound-gateway.istio-system.svc.cluster.local 15443")
        // The word-at-a-time scan against the plain rule (one colon, digits after it), a colon or two at every
        // position of strings across word boundaries.
        for length in 1...26 {
            for first in -1..<length {
                for second in [-1, length - 1, (first + 9) % length] where second != first || second == -1 {
                    var bytes = Array(repeating: UInt8(ascii: "7"), count: length)
                    if first >= 0 { bytes[first] = UInt8(ascii: ":") }
                    if second >= 0 { bytes[second] = UInt8(ascii: ":") }
                    let text = String(decoding: bytes, as: UTF8.self)
                    let colons = bytes.indices.filter { bytes[$0] == UInt8(ascii: ":") }
                    var expected = "\(text) -1"
                    if colons.count == 1, let c = colons.first, c + 1 < length, length - c - 1 <= 18 {   // (longer is no port)
                        expected = "\(String(decoding: bytes[..<c], as: UTF8.self)) \(Int64(String(decoding: bytes[(c + 1)...], as: UTF8.self))!)"
                    }
                    #expect(split(text) == expected, "\(text)")
                }
            }
        }
    }

    @Test("Endpoint.isIPLiteral edge cases")
    func ipLiterals() {
        func isIP(_ s: String) -> Bool { withSlice(s) { Endpoint.isIPLiteral($0) } }
        for ip in ["1.2.3.4", "240.240.180.115", "2001:db8::1", "::1", "fd00:10:244::1a", "::ffff:10.0.0.1", "2001:DB8::A"] {
            #expect(isIP(ip), "\(ip)")
        }
        for name in ["httpbin.org", "httpbin", "1.2.3", "1.2.3.4.5", "abc.def.bad.fed", "deadbeef", "cafe", "a.b.c.d", "", "1.2.3.4:80", "reviews:9080"] {
            #expect(!isIP(name), "\(name)")
        }
        #expect(!Endpoint.isIPLiteral(.absent))
    }

    @Test("the capital-letter test used before lower-casing hosts agrees with a byte loop for every byte value and position")
    func upperCaseScan() {
        for value in 0...255 {
            for length in [1, 7, 8, 9, 16, 23] {
                for position in 0..<length {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes[position] = UInt8(value)
                    let expected = bytes.contains { $0 >= 65 && $0 <= 90 }
                    bytes.withUnsafeBufferPointer { p in
                        #expect(Classifier.hasUpperCase(p.baseAddress!, length) == expected, "byte \(value) at \(position) of \(length)")
                    }
                }
            }
        }
    }
}
