// libFuzzer harness for the ServiceEntry loader: the input as a YAML or JSON file (multi-document streams,
// `kind: List`, anchors and aliases), loaded with the limits the CLI uses; what loaded is then queried the way
// analysis queries it. Built by scripts/fuzz against the library and Yams; not part of the package.
import EgressAudit

let loader = ServiceEntryLoader()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let loaded = loader.load(text: FuzzInput.string(data, size), source: "fuzz.yaml")
    for problem in loaded.problems { fuzzSink &+= UInt64(problem.message.utf8.count) }
    for entry in loaded.entries {
        // Host patterns against themselves and a fixed host, addresses as CIDR prefixes, ports and exportTo.
        for host in entry.hosts {
            _ = HostPattern.matches(host, host)
            _ = entry.host(matching: "api.example.com")
        }
        for address in entry.addresses { _ = CIDR(address)?.contains("10.1.2.3") }
        for port in entry.ports { _ = entry.port(port.number) }
        _ = entry.isExported(to: entry.namespace)
        fuzzSink &+= UInt64(entry.id.utf8.count)
    }
    return 0
}
