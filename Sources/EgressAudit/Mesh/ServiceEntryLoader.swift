import Foundation
import Yams

/// Entries read from files, and the problems met.
public struct LoadedEntries: Sendable {
    public var entries: [ServiceEntry] = []
    public var problems: [EntryProblem] = []
    /// Files read.
    public var files: [String] = []
    public init() {}
}

/// Reads ServiceEntries from YAML multi-document streams, `kind: List` (what `kubectl get -o yaml` prints),
/// and the same as JSON. Other kinds are skipped silently; an invalid entry is reported with its file,
/// document and field, and the rest still load.
public struct ServiceEntryLoader: Sendable {
    /// Namespace of entries whose metadata has none.
    public var defaultNamespace: String
    /// `exportTo` of entries that set none (MeshConfig `defaultServiceExportTo`; empty means `*`).
    public var defaultExportTo: [String]
    /// Most YAML nodes visited per document: an alias bomb ("billion laughs") stops here.
    public var nodeBudget: Int
    /// Largest file read, in bytes. YAML is parsed into a tree at about 20 times the file's size, at a
    /// few MB/s: 16 MiB (some 30,000 entries as `kubectl get serviceentries -A -o yaml` prints them) keeps a
    /// load under a few hundred MB and seconds; a larger file is refused before it is read.
    public var maxFileSize: Int

    /// The default `maxFileSize`.
    public static let defaultMaxFileSize = 16 << 20

    public init(defaultNamespace: String = "default", defaultExportTo: [String] = [], nodeBudget: Int = 1_000_000,
                maxFileSize: Int = ServiceEntryLoader.defaultMaxFileSize) {
        self.defaultNamespace = defaultNamespace
        self.defaultExportTo = defaultExportTo
        self.nodeBudget = nodeBudget
        self.maxFileSize = maxFileSize
    }

    /// Loads files, folders (their `.yaml`, `.yml` and `.json` files, recursively) and `-` (stdin).
    public func load(paths: [String]) -> LoadedEntries {
        var result = LoadedEntries()
        for path in paths {
            let files: [String]
            if path == "-" {
                files = ["-"]
            } else {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    result.problems.append(EntryProblem(file: path, document: 0, field: "file", message: "no such file or folder"))
                    continue
                }
                files = isDirectory.boolValue ? Self.manifests(in: path) : [path]
            }
            for file in files {
                result.files.append(file)
                let text: String
                do {
                    // The size is checked before the file is read, so a huge file costs nothing.
                    if file != "-", let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int, size > maxFileSize {
                        result.problems.append(tooLarge(file, size: "\(Self.mebibytes(size)) MiB"))
                        continue
                    }
                    let data = file == "-" ? Self.readStandardInput(limit: maxFileSize) : try Data(contentsOf: URL(fileURLWithPath: file))
                    guard data.count <= maxFileSize else {
                        result.problems.append(tooLarge(file, size: "more than \(Self.mebibytes(maxFileSize)) MiB"))
                        continue
                    }
                    text = String(decoding: data, as: UTF8.self)
                } catch {
                    result.problems.append(EntryProblem(file: file, document: 0, field: "file", message: "cannot be read (\(error.localizedDescription))"))
                    continue
                }
                let loaded = load(text: text, source: file)
                result.entries += loaded.entries
                result.problems += loaded.problems
            }
        }
        return result
    }

    private func tooLarge(_ file: String, size: String) -> EntryProblem {
        EntryProblem(file: file, document: 0, field: "file",
                     message: "\(size) is over the \(Self.mebibytes(maxFileSize)) MiB limit for a ServiceEntry file; refused unread. "
                        + "Split it, e.g. one file per namespace: kubectl get serviceentries -n NS -o yaml > NS.yaml")
    }

    private static func mebibytes(_ bytes: Int) -> String {
        let value = Double(bytes) / Double(1 << 20)
        return value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// Standard input up to `limit` + 1 bytes (one more than allowed tells it is too large).
    private static func readStandardInput(limit: Int) -> Data {
        var data = Data()
        while data.count <= limit {
            let chunk = FileHandle.standardInput.readData(ofLength: min(1 << 20, limit + 1 - data.count))
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        return data
    }

    /// A parse error in a few words: libyaml's messages quote the offending line, which can be megabytes.
    static func describe(_ error: Error) -> String {
        let text = String(describing: error)
        if text.contains("Maximum nesting level") {
            return "nested deeper than libyaml's limit of 1,000 levels; refused (no ServiceEntry nests that deep)"
        }
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            lines.append(line.count > 160 ? String(line.prefix(160)) + "…" : String(line))
            if lines.count == 3 { break }
        }
        return lines.joined(separator: " ")
    }

    /// Loads every entry in `text` (YAML or JSON); `source` names it in problems.
    public func load(text: String, source: String) -> LoadedEntries {
        var result = LoadedEntries()
        do {
            var index = 0
            // YamlSequence swallows a parse error (it ends the sequence and keeps the error): check it after.
            var documents = try Yams.compose_all(yaml: text)
            while let root = documents.next() {
                index += 1
                var budget = nodeBudget
                guard Self.size(root, budget: &budget) else {
                    result.problems.append(EntryProblem(file: source, document: index, field: "document",
                                                        message: "more than \(nodeBudget) YAML nodes once aliases are expanded; refused (an alias bomb?)"))
                    continue
                }
                read(root, source: source, document: index, item: nil, into: &result)
            }
            if let error = documents.error {
                result.problems.append(EntryProblem(file: source, document: index + 1, field: "syntax", message: "not valid YAML or JSON: \(Self.describe(error))"))
            }
        } catch {
            result.problems.append(EntryProblem(file: source, document: 0, field: "syntax", message: "not valid YAML or JSON: \(Self.describe(error))"))
        }
        return result
    }

    private static func manifests(in folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var found: [String] = []
        for case let relative as String in walker {
            let lower = relative.lowercased()
            if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json") {
                found.append((folder as NSString).appendingPathComponent(relative))
            }
        }
        return found.sorted()
    }

    /// Counts nodes (aliases expanded) until the budget runs out.
    private static func size(_ node: Node, budget: inout Int) -> Bool {
        budget -= 1
        if budget < 0 { return false }
        switch node {
        case .mapping(let m):
            for (k, v) in m where !size(k, budget: &budget) || !size(v, budget: &budget) { return false }
        case .sequence(let s):
            for v in s where !size(v, budget: &budget) { return false }
        default: break
        }
        return true
    }

    private func read(_ root: Node, source: String, document: Int, item: Int?, into result: inout LoadedEntries) {
        guard let kind = root["kind"]?.string else { return }
        if kind == "List" || kind.hasSuffix("List") {
            guard let items = root["items"]?.sequence else { return }
            let itemKind = kind == "List" ? nil : String(kind.dropLast(4))
            for (i, item) in items.enumerated() {
                if item["kind"]?.string == nil, itemKind == "ServiceEntry" {
                    parseEntry(item, apiVersion: root["apiVersion"]?.string, source: source, document: document, item: i + 1, into: &result)
                } else {
                    read(item, source: source, document: document, item: i + 1, into: &result)
                }
            }
            return
        }
        guard kind == "ServiceEntry" else { return }
        let apiVersion = root["apiVersion"]?.string
        guard apiVersion?.hasPrefix("networking.istio.io/") ?? true else { return }
        parseEntry(root, apiVersion: apiVersion, source: source, document: document, item: item, into: &result)
    }

    private func parseEntry(_ node: Node, apiVersion: String?, source: String, document: Int, item: Int?, into result: inout LoadedEntries) {
        var problems: [(String, String)] = []
        let metadata = node["metadata"]
        let name = metadata?["name"]?.string
        let namespace = metadata?["namespace"]?.string ?? defaultNamespace
        func problem(_ field: String, _ message: String) { problems.append((field, message)) }
        if name?.isEmpty ?? true { problem("metadata.name", "missing; every ServiceEntry needs a name") }
        let spec = node["spec"]
        if spec == nil { problem("spec", "missing") }

        let hosts = strings(spec?["hosts"], field: "spec.hosts", problem)
        if hosts.isEmpty { problem("spec.hosts", "must list at least one host") }
        for (i, host) in hosts.enumerated() where host == "*" || host.isEmpty {
            problem("spec.hosts[\(i)]", "'\(host)' is not allowed (Istio rejects a bare '*')")
        }
        let addresses = strings(spec?["addresses"], field: "spec.addresses", problem)
        for (i, address) in addresses.enumerated() where CIDR(address) == nil {
            problem("spec.addresses[\(i)]", "'\(address)' is not an IP address or CIDR prefix")
        }
        var ports: [ServiceEntry.Port] = []
        if let list = spec?["ports"] {
            if let sequence = list.sequence {
                for (i, p) in sequence.enumerated() {
                    guard let numberText = p["number"]?.string, let number = Int(numberText), (1...65535).contains(number) else {
                        problem("spec.ports[\(i)].number", "must be a port number from 1 to 65535 (found \(p["number"]?.string ?? "nothing"))")
                        continue
                    }
                    let target = p["targetPort"]?.string.flatMap { Int($0) }
                    ports.append(ServiceEntry.Port(number: number, protocol: p["protocol"]?.string, name: p["name"]?.string, targetPort: target))
                }
            } else {
                problem("spec.ports", "must be a list")
            }
        }
        var endpoints: [ServiceEntry.Endpoint] = []
        for e in spec?["endpoints"]?.sequence ?? [] {
            var portMap: [String: Int] = [:]
            for (k, v) in e["ports"]?.mapping ?? [:] { if let key = k.string, let value = v.string.flatMap({ Int($0) }) { portMap[key] = value } }
            var labels: [String: String] = [:]
            for (k, v) in e["labels"]?.mapping ?? [:] { if let key = k.string { labels[key] = v.string ?? "" } }
            endpoints.append(ServiceEntry.Endpoint(address: e["address"]?.string, ports: portMap, labels: labels))
        }
        var selector: [String: String]?
        if let labels = spec?["workloadSelector"]?["labels"]?.mapping {
            selector = [:]
            for (k, v) in labels { if let key = k.string { selector?[key] = v.string ?? "" } }
        }
        var exportTo = strings(spec?["exportTo"], field: "spec.exportTo", problem)
        if exportTo.isEmpty { exportTo = defaultExportTo }
        let status = (node["status"]?["addresses"]?.sequence ?? []).compactMap { $0["value"]?.string }
        var where_ = "document \(document)"
        if let item { where_ += ", item \(item)" }
        let entry = ServiceEntry(apiVersion: apiVersion ?? "networking.istio.io/v1", name: name ?? "", namespace: namespace,
                                 hosts: hosts.map { $0.lowercased() }, addresses: addresses, ports: ports,
                                 location: spec?["location"]?.string, resolution: spec?["resolution"]?.string,
                                 endpoints: endpoints, workloadSelector: selector, exportTo: exportTo,
                                 subjectAltNames: strings(spec?["subjectAltNames"], field: "spec.subjectAltNames", problem),
                                 statusAddresses: status, source: "\(source), \(where_)")
        if problems.isEmpty {
            result.entries.append(entry)
        } else {
            for (field, message) in problems {
                result.problems.append(EntryProblem(file: source, document: document, item: item,
                                                    entry: name.map { "\(namespace)/\($0)" }, field: field, message: message))
            }
        }
    }

    /// A list of strings (a lone string is read as a one-item list).
    private func strings(_ node: Node?, field: String, _ problem: (String, String) -> Void) -> [String] {
        guard let node else { return [] }
        if let s = node.sequence {
            var out: [String] = []
            for (i, n) in s.enumerated() {
                if let v = n.string { out.append(v) } else { problem("\(field)[\(i)]", "must be a string") }
            }
            return out
        }
        if let v = node.scalar?.string { return [v] }
        problem(field, "must be a list of strings")
        return []
    }
}
