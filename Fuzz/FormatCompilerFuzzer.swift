// libFuzzer harness for the format-string compiler: the input's first line is a `--log-format` value (an Envoy
// format string, a JSON format or a preset name); once compiled, the format parses real access lines, the rest
// of the input's lines, and lines rendered from the format itself with values taken from the input, so the
// matcher also runs on lines that fit the fuzzed format. Built by scripts/fuzz against the library; not part of
// the package.
import EgressAudit

nonisolated(unsafe) let record = AccessRecord()

/// Lines of real layouts (Istio 1.9+ text, a forged user agent, Istio JSON) every compiled format is tried on.
let realLines = [
    #"[2022-04-26T13:14:30.905Z] "- - -" 0 UH - - "-" 0 0 7 - "-" "-" "-" "-" "-" BlackHoleCluster - 180.97.34.94:443 10.122.158.52:54192 - -"#,
    #"[2022-04-26T13:26:08.804Z] "GET /headers HTTP/1.1" 200 - via_upstream - "-" 0 1200 742 742 "-" "x" "-" "y" "z" 1 2 3" "934ddb65-6508-91ae-8e61-46ea5eb3c9f1" "httpbin.org" "3.226.124.170:80" outbound|80||httpbin.org 10.122.158.52:50958 34.197.247.180:80 10.122.158.52:48554 - default"#,
    #"{"start_time":"2021-06-04T14:35:50.462Z","upstream_cluster":"PassthroughCluster","downstream_local_address":"13.249.75.75:443","response_code":0,"authority":null}"#,
]

/// Values put in place of a format's operators when the input brings none (tab-separated on its second line).
let defaultValues = ["2022-04-26T13:14:30.905Z", "-", "outbound|443||api.example.com", "10.0.0.1:443", "GET",
                     "curl/8.0 \"quoted\" (x)", "200", "api.example.com", "0"]

/// `format` with every `%OPERATOR…%` replaced by the next of `values` (cyclically) and `%%` by `%`: a line the
/// format should match when the values fit its fields.
func render(_ format: [UInt8], values: [[UInt8]]) -> [UInt8] {
    var out: [UInt8] = []
    var next = 0
    var i = 0
    let isName = { (b: UInt8) in b == UInt8(ascii: "_") || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) }
    while i < format.count {
        guard format[i] == UInt8(ascii: "%") else { out.append(format[i]); i += 1; continue }
        if i + 1 < format.count && format[i + 1] == UInt8(ascii: "%") { out.append(format[i]); i += 2; continue }
        // %NAME%, %NAME(ARG)% or %NAME(ARG):LEN%; anything else is copied as it is.
        var j = i + 1
        while j < format.count && isName(format[j]) { j += 1 }
        if j < format.count && format[j] == UInt8(ascii: "("), let close = format[j...].firstIndex(of: UInt8(ascii: ")")) {
            j = close + 1
            if j < format.count && format[j] == UInt8(ascii: ":") {
                j += 1
                while j < format.count && format[j] >= 48 && format[j] <= 57 { j += 1 }
            }
        }
        guard j > i + 1, j < format.count, format[j] == UInt8(ascii: "%") else { out.append(format[i]); i += 1; continue }
        out += values[next % values.count]
        next += 1
        i = j + 1
    }
    return out
}

/// Parses `line` with `format` and reads every value it produced.
func parse(_ line: [UInt8], with format: LineFormat) {
    FuzzInput.withCopy(line) { slice in
        if format.parse(slice, into: record) {
            for kind in FieldKind.allCases where kind != .ignored { fuzzSink &+= FuzzInput.touch(record[kind]) }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let lines = UnsafeBufferPointer(start: data, count: size).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
    guard let spec = lines.first else { return 0 }
    let specText = String(decoding: spec, as: UTF8.self)
    var formats: [LineFormat] = []
    // What `--log-format` does with the value, and the text compiler on it directly (a preset name or JSON is
    // also a format string to it).
    if let format = try? FormatPresets.resolve(specText) { formats.append(format) }
    if let format = try? TextFormat(name: "fuzz", format: specText) {
        fuzzSink &+= UInt64(format.formatString.utf8.count &+ format.kinds.count)
        formats.append(format)
    }
    guard !formats.isEmpty else { return 0 }
    let fuzzValues = lines.count > 1 ? lines[1].split(separator: 0x09, omittingEmptySubsequences: false).map(Array.init) : []
    let rendered = [render(spec, values: defaultValues.map { Array($0.utf8) }), render(spec, values: fuzzValues.isEmpty ? [[]] : fuzzValues)]
    for format in formats {
        for line in realLines { parse(Array(line.utf8), with: format) }
        for line in rendered { parse(line, with: format) }
        for line in lines.dropFirst() { parse(line, with: format) }
    }
    return 0
}
