/// Turns the outbound calls that the given entries do not cover into the smallest set of changes that
/// would cover them: `create` a ServiceEntry, `add-port` to an entry that names the host, or `export` an
/// entry that covers host and port to more namespaces. Pure: takes call groups and entries, returns values.
public struct SuggestionBuilder {
    public let options: SuggestOptions

    public init(options: SuggestOptions = SuggestOptions()) { self.options = options }

    /// One destination's uncovered calls, gathered before they become suggestions.
    private struct Need {
        var host: String?
        var ip: String?
        var groups: [(CallGroup, Int)] = []   // group and the port it used
        var evidence: [String] = []
    }

    /// `evidence`: the calls that may name IP-only destinations (all of the database, beyond the window); nil means `groups`.
    public func suggestions(groups: [CallGroup], entries: [ServiceEntry], evidence evidenceGroups: [CallGroup]? = nil) -> [Suggestion] {
        let index = EntryIndex(entries)
        let evidence = Evidence(groups: evidenceGroups ?? groups, entries: entries)
        // (ip, port, host) seen with an SNI: an IP-only call to that IP and port named this way speaks TLS.
        var sniPairs = Set<String>()
        for g in evidenceGroups ?? groups where g.sni != nil {
            if let ip = g.destIP, let sni = g.sni, let port = g.destPort ?? g.clusterPort { sniPairs.insert("\(ip) \(port) \(sni)") }
        }

        var needs: [String: Need] = [:]
        var order: [String] = []
        for g in groups where g.verdict != .internal {
            if let only = options.namespace, g.namespace != only { continue }
            guard let port = g.destPort ?? g.clusterPort else { continue }
            var host = g.destHost
            var note: String?
            if host == nil, let ip = g.destIP {
                switch evidence.name(ip) {
                case let .named(h, because): host = h; note = because
                case let .conflicting(_, because): note = because
                case .unknown: note = "no other call named \(ip) and no entry lists it; kept as an IP"
                }
            }
            if !index.covering(host: host, ip: g.destIP, port: port, namespace: g.namespace).isEmpty { continue }
            let key = host ?? "ip:" + (g.destIP ?? "?")
            if needs[key] == nil { needs[key] = Need(host: host, ip: host == nil ? g.destIP : nil); order.append(key) }
            needs[key]!.groups.append((g, port))
            for note in [note, g.namespaceEvidence].compactMap({ $0 }) where !needs[key]!.evidence.contains(note) {
                needs[key]!.evidence.append(note)
            }
        }

        var creates: [String: Need] = [:]
        var createOrder: [String] = []
        var changes: [String: (entry: ServiceEntry, action: Suggestion.Action, need: Need, ports: Set<Int>, namespaces: Set<String>)] = [:]
        var changeOrder: [String] = []
        for key in order {
            let need = needs[key]!
            let naming = index.naming(host: need.host, ip: need.ip)
            for (g, port) in need.groups {
                let preferred = { (list: [ServiceEntry]) -> ServiceEntry? in
                    list.first { $0.namespace == g.namespace } ?? list.first
                }
                if let e = preferred(naming.filter { $0.port(port) != nil }) {
                    record(e, .export, g, port, need, &changes, &changeOrder)
                } else if let e = preferred(naming) {
                    record(e, .addPort, g, port, need, &changes, &changeOrder)
                } else {
                    if creates[key] == nil { creates[key] = Need(host: need.host, ip: need.ip, evidence: need.evidence); createOrder.append(key) }
                    creates[key]!.groups.append((g, port))
                }
            }
        }

        var result = createOrder.map { create(creates[$0]!, sniPairs: sniPairs) }
        if let minimum = options.wildcardMinimum { result = consolidate(result, minimum: minimum, sniPairs: sniPairs, creates: creates) }
        for key in changeOrder {
            let c = changes[key]!
            result.append(change(c.entry, c.action, c.need, ports: c.ports, namespaces: c.namespaces, sniPairs: sniPairs))
        }
        return result
    }

    private func record(_ e: ServiceEntry, _ action: Suggestion.Action, _ g: CallGroup, _ port: Int, _ need: Need,
                        _ changes: inout [String: (entry: ServiceEntry, action: Suggestion.Action, need: Need, ports: Set<Int>, namespaces: Set<String>)],
                        _ order: inout [String]) {
        let key = action.rawValue + " " + e.id
        if changes[key] == nil {
            changes[key] = (e, action, Need(host: need.host, ip: need.ip, evidence: []), [], [])
            order.append(key)
        }
        changes[key]!.need.groups.append((g, port))
        for note in need.evidence where !changes[key]!.need.evidence.contains(note) { changes[key]!.need.evidence.append(note) }
        changes[key]!.ports.insert(port)
        if let ns = g.namespace { changes[key]!.namespaces.insert(ns) }
        if let host = need.host, changes[key]!.need.host != host {
            // One change may serve several hosts (a wildcard entry): name the entry's pattern instead.
            changes[key]!.need.host = e.host(matching: host) ?? host
        }
    }

    // MARK: Building suggestions

    private func protocolName(_ port: Int, _ need: Need, sniPairs: Set<String>) -> String {
        let calls = need.groups.filter { $0.1 == port }.map(\.0)
        if calls.contains(where: { $0.proto == .tls }) { return "TLS" }
        if calls.contains(where: { $0.proto == .http }) { return "HTTP" }
        // An IP-only TCP call to an address and port that carried this host's SNI elsewhere speaks TLS (plaintext
        // HTTP to the same IP, on 80 say, does not).
        if let host = need.host, calls.contains(where: { g in g.destIP.map { sniPairs.contains("\($0) \(port) \(host)") } ?? false }) { return "TLS" }
        return "TCP"
    }

    private func summary(_ need: Need) -> Summary {
        var calls = 0
        var first: Int64?
        var last: Int64?
        var reasons = Set<String>()
        var namespaces = Set<String>()
        var pods = Set<String>()
        var sourceIPs = Set<String>()
        var allKnown = true
        for (g, _) in need.groups {
            if let ip = g.sourceIP { sourceIPs.insert(ip) }
            calls += g.calls
            if let f = g.firstSeen, first.map({ f < $0 }) ?? true { first = f }
            if let l = g.lastSeen, last.map({ l > $0 }) ?? true { last = l }
            reasons.insert(g.verdict.name)
            if let ns = g.namespace { namespaces.insert(ns) } else { allKnown = false }
            if let pod = g.pod { pods.insert((g.namespace.map { $0 + "/" } ?? "") + pod) }
        }
        let order = ["blocked", "passthrough", "allowed"]
        return Summary(calls: calls, first: first, last: last, reasons: order.filter { reasons.contains($0) },
                       namespaces: namespaces.sorted(), pods: pods.sorted(), sourceIPs: sourceIPs.sorted(), allKnown: allKnown)
    }

    private struct Summary {
        var calls: Int
        var first: Int64?
        var last: Int64?
        var reasons: [String]
        var namespaces: [String]
        var pods: [String]
        var sourceIPs: [String]
        var allKnown: Bool
    }

    private func create(_ need: Need, sniPairs: Set<String>) -> Suggestion {
        let s = summary(need)
        let ports = Set(need.groups.map(\.1)).sorted()
        let needs = ports.map { Suggestion.PortNeed(number: $0, protocol: protocolName($0, need, sniPairs: sniPairs)) }
        let wildcard = need.host.map(HostPattern.isWildcard) ?? false
        let address = need.ip.map { $0.contains(":") ? "\($0)/128" : "\($0)/32" }
        let host = need.host ?? "unnamed-\(Self.label(need.ip ?? "address")).egress-audit.invalid"
        let entry = ServiceEntry(
            apiVersion: options.apiVersion,
            name: Self.entryName(need.host, ip: need.ip),
            namespace: s.namespaces.count == 1 && s.allKnown ? s.namespaces[0] : options.defaultNamespace,
            hosts: [host], addresses: address.map { [$0] } ?? [],
            ports: needs.map { ServiceEntry.Port(number: $0.number, protocol: $0.protocol, name: "\($0.protocol.lowercased())-\($0.number)") },
            location: "MESH_EXTERNAL", resolution: (need.host == nil || wildcard) ? "NONE" : "DNS",
            exportTo: s.allKnown ? s.namespaces : [])
        var evidence = need.evidence
        if need.host == nil {
            evidence.append("no host is known for \(need.ip ?? "this address"): the entry matches it by address; replace the placeholder host with the real name if you know it")
        }
        return finish(.create, host: need.host, addresses: entry.addresses, ports: needs, entry: nil, need: need, summary: s,
                      serviceEntry: entry, evidence: evidence)
    }

    private func change(_ original: ServiceEntry, _ action: Suggestion.Action, _ need: Need, ports: Set<Int>, namespaces: Set<String>,
                        sniPairs: Set<String>) -> Suggestion {
        let s = summary(need)
        var entry = original
        var needs: [Suggestion.PortNeed] = []
        var evidence = need.evidence
        switch action {
        case .addPort:
            for port in ports.sorted() {
                let p = protocolName(port, need, sniPairs: sniPairs)
                needs.append(Suggestion.PortNeed(number: port, protocol: p))
                entry.ports.append(ServiceEntry.Port(number: port, protocol: p, name: "\(p.lowercased())-\(port)"))
            }
            evidence.append("\(original.id) names the host but has no port \(ports.sorted().map(String.init).joined(separator: ", "))")
            // The port alone would not do when the entry is not exported to the callers either.
            let hidden = namespaces.sorted().filter { !original.isExported(to: $0) }
            if !hidden.isEmpty {
                entry.exportTo += hidden
                evidence.append("\(original.id) is exported to \(original.exportTo.joined(separator: ", ")), not to \(hidden.joined(separator: ", ")): exportTo extended too")
            }
        case .export:
            for port in ports.sorted() {
                needs.append(Suggestion.PortNeed(number: port, protocol: original.port(port)?.protocol?.uppercased() ?? protocolName(port, need, sniPairs: sniPairs)))
            }
            for ns in namespaces.sorted() where !entry.exportTo.contains(ns) { entry.exportTo.append(ns) }
            evidence.append("\(original.id) covers host and port but is exported to \(original.exportTo.joined(separator: ", ")), not to \(namespaces.sorted().joined(separator: ", "))")
        case .create:
            break
        }
        return finish(action, host: need.host, addresses: [], ports: needs, entry: original.id, need: need, summary: s,
                      serviceEntry: entry, evidence: evidence)
    }

    private func finish(_ action: Suggestion.Action, host: String?, addresses: [String], ports: [Suggestion.PortNeed], entry: String?,
                        need: Need, summary s: Summary,
                        serviceEntry: ServiceEntry, evidence: [String]) -> Suggestion {
        let destination = (host ?? need.ip ?? "?") + ":" + ports.map { "\($0.number)" }.joined(separator: ",")
        var comments = ["egress-audit: \(action.rawValue) \(entry.map { $0 + " " } ?? "")for \(destination)"]
        let verdictCounts = s.reasons.map { r in "\(r) \(need.groups.filter { $0.0.verdict.name == r }.reduce(0) { $0 + $1.0.calls })" }
        comments.append("calls: \(s.calls) (\(verdictCounts.joined(separator: ", ")))"
                        + (s.first.map { ", first \(Timestamp.iso8601(micros: $0))" } ?? "")
                        + (s.last.map { ", last \(Timestamp.iso8601(micros: $0))" } ?? ""))
        var callers = s.pods.isEmpty ? s.namespaces : s.pods
        if !s.allKnown {
            callers.append("namespace unknown" + (s.sourceIPs.isEmpty ? "" : " (pod IPs " + s.sourceIPs.prefix(5).joined(separator: ", ")
                                                                          + (s.sourceIPs.count > 5 ? "…" : "") + ")"))
        }
        comments.append("callers: " + callers.prefix(10).joined(separator: ", ") + (callers.count > 10 ? " and \(callers.count - 10) more" : ""))
        for note in evidence { comments.append("evidence: " + note) }
        return Suggestion(action: action, host: host, addresses: addresses, ports: ports, entry: entry, namespaces: s.namespaces,
                          pods: s.pods, calls: s.calls, firstSeen: s.first.map { Timestamp.iso8601(micros: $0) },
                          lastSeen: s.last.map { Timestamp.iso8601(micros: $0) }, reasons: s.reasons, evidence: evidence,
                          serviceEntry: serviceEntry, yaml: ServiceEntryYAML.document(serviceEntry, comments: comments))
    }

    /// Replaces `create` suggestions for N or more hosts under one domain by one `*.domain` entry
    /// (a full leftmost label only, never `*.com`).
    private func consolidate(_ suggestions: [Suggestion], minimum: Int, sniPairs: Set<String>, creates: [String: Need]) -> [Suggestion] {
        var byParent: [String: [String]] = [:]
        for s in suggestions where s.action == .create {
            guard let host = s.host, !HostPattern.isWildcard(host) else { continue }
            let labels = host.split(separator: ".")
            guard labels.count >= 3 else { continue }
            byParent[labels.dropFirst().joined(separator: "."), default: []].append(host)
        }
        var merged: [Suggestion] = []
        var absorbed = Set<String>()
        for (parent, hosts) in byParent.sorted(by: { $0.key < $1.key }) where Set(hosts).count >= minimum {
            var need = Need(host: "*." + parent, ip: nil)
            for host in hosts {
                guard let n = creates[host] else { continue }
                need.groups += n.groups
                need.evidence += n.evidence.filter { !need.evidence.contains($0) }
            }
            need.evidence.append("*.\(parent) covers the \(hosts.count) hosts seen under it: \(hosts.sorted().joined(separator: ", "))")
            merged.append(create(need, sniPairs: sniPairs))
            absorbed.formUnion(hosts)
        }
        return suggestions.filter { !($0.action == .create && $0.host.map(absorbed.contains) == true) } + merged
    }

    static func label(_ s: String) -> String {
        var out = ""
        for c in s.lowercased().unicodeScalars {
            if (c >= "a" && c <= "z") || (c >= "0" && c <= "9") { out.unicodeScalars.append(c) }
            else if !out.hasSuffix("-") { out += "-" }
        }
        while out.hasSuffix("-") { out.removeLast() }
        while out.hasPrefix("-") { out.removeFirst() }
        return out
    }

    /// A Kubernetes name for a new entry: `httpbin-org`, `wildcard-example-com`, `ip-3-230-204-70`.
    static func entryName(_ host: String?, ip: String?) -> String {
        let base: String
        if let host {
            base = HostPattern.isWildcard(host) ? "wildcard-" + label(String(host.dropFirst(2))) : label(host)
        } else {
            base = "ip-" + label(ip ?? "address")
        }
        return String(base.prefix(63)).trimmingSuffixDashes()
    }
}

private extension String {
    func trimmingSuffixDashes() -> String {
        var s = self
        while s.hasSuffix("-") { s.removeLast() }
        return s
    }
}
