/// Writes ServiceEntries as YAML documents that `kubectl apply -f -` accepts, with comment lines first.
/// Written by hand so the output is stable and minimal (keys in a fixed order, strings quoted only when
/// YAML would misread them, e.g. `*.example.com`).
public enum ServiceEntryYAML {
    public static func document(_ e: ServiceEntry, comments: [String] = []) -> String {
        var out = comments.map { "# " + $0.replacingOccurrences(of: "\n", with: " ") + "\n" }.joined()
        out += "apiVersion: \(scalar(e.apiVersion))\n"
        out += "kind: ServiceEntry\n"
        out += "metadata:\n"
        out += "  name: \(scalar(e.name))\n"
        out += "  namespace: \(scalar(e.namespace))\n"
        out += "spec:\n"
        out += list("hosts", e.hosts)
        out += list("addresses", e.addresses)
        if !e.exportTo.isEmpty { out += list("exportTo", e.exportTo) }
        if let location = e.location { out += "  location: \(scalar(location))\n" }
        if !e.ports.isEmpty {
            out += "  ports:\n"
            for p in e.ports {
                out += "  - number: \(p.number)\n"
                if let name = p.name { out += "    name: \(scalar(name))\n" }
                if let proto = p.protocol { out += "    protocol: \(scalar(proto))\n" }
                if let target = p.targetPort { out += "    targetPort: \(target)\n" }
            }
        }
        if let resolution = e.resolution { out += "  resolution: \(scalar(resolution))\n" }
        if !e.endpoints.isEmpty {
            out += "  endpoints:\n"
            for ep in e.endpoints {
                var first = true
                func line(_ s: String) { out += (first ? "  - " : "    ") + s + "\n"; first = false }
                if let address = ep.address { line("address: \(scalar(address))") }
                if !ep.ports.isEmpty {
                    line("ports:")
                    for (k, v) in ep.ports.sorted(by: { $0.key < $1.key }) { out += "      \(scalar(k)): \(v)\n" }
                }
                if !ep.labels.isEmpty {
                    line("labels:")
                    for (k, v) in ep.labels.sorted(by: { $0.key < $1.key }) { out += "      \(scalar(k)): \(scalar(v))\n" }
                }
                if first { out += "  - {}\n" }
            }
        }
        if let selector = e.workloadSelector {
            out += "  workloadSelector:\n    labels:\n"
            for (k, v) in selector.sorted(by: { $0.key < $1.key }) { out += "      \(scalar(k)): \(scalar(v))\n" }
        }
        out += list("subjectAltNames", e.subjectAltNames)
        return out
    }

    /// Documents joined into one stream.
    public static func stream(_ documents: [String]) -> String {
        documents.joined(separator: "---\n")
    }

    private static func list(_ key: String, _ values: [String]) -> String {
        guard !values.isEmpty else { return "" }
        return "  \(key):\n" + values.map { "  - \(scalar($0))\n" }.joined()
    }

    /// A plain scalar when YAML reads it back as the same string, else a double-quoted one.
    static func scalar(_ s: String) -> String {
        let plain = !s.isEmpty && s.unicodeScalars.allSatisfy { c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "." || c == "-" || c == "_" || c == "/"
        } && s.first != "-" && s.first != "." && Double(s) == nil
            && !["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"].contains(s.lowercased())
        return plain ? s : JSONText.quote(s)
    }
}
