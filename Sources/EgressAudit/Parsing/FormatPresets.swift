/// The layouts proxies print by default, as data: each is an Envoy format string fed to `TextFormat`.
///
/// Sources: Envoy's `DEFAULT_FORMAT` and Istio's format constants per release (see README, "Formats").
public enum FormatPresets {
    private static let envoyHead = #"[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS%"#
    private static let envoyMiddle = #"%BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%""#
    private static func istioTail(_ cluster: String) -> String {
        " %\(cluster)% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME%"
    }
    private static let mixer = #" "%DYNAMIC_METADATA(istio.mixer:status)%""#
    private static let transportFailure = #" "%UPSTREAM_TRANSPORT_FAILURE_REASON%""#

    /// Name and format string of every preset, newest first (the order layouts are tried in).
    /// `istio-1.9` and `istio-1.23` have the same columns (only the cluster operator differs), so
    /// detection reports lines of either as `istio-1.9`.
    public static let all: [(name: String, format: String)] = [
        ("istio-1.9", envoyHead + " %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%" + transportFailure + " " + envoyMiddle + istioTail("UPSTREAM_CLUSTER") + " %ROUTE_NAME%"),
        ("istio-1.23", envoyHead + " %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%" + transportFailure + " " + envoyMiddle + istioTail("UPSTREAM_CLUSTER_RAW") + " %ROUTE_NAME%"),
        ("istio-1.8", envoyHead + transportFailure + " " + envoyMiddle + istioTail("UPSTREAM_CLUSTER") + " %ROUTE_NAME%"),
        ("istio-1.3", envoyHead + mixer + transportFailure + " " + envoyMiddle + istioTail("UPSTREAM_CLUSTER") + " %ROUTE_NAME%"),
        ("istio-1.2", envoyHead + mixer + transportFailure + " " + envoyMiddle + istioTail("UPSTREAM_CLUSTER")),
        ("istio-1.1", envoyHead + mixer + " " + envoyMiddle + istioTail("UPSTREAM_CLUSTER")),
        ("istio-1.1-snapshot", envoyHead + " " + envoyMiddle + istioTail("UPSTREAM_CLUSTER")),
        ("envoy", envoyHead + " " + envoyMiddle),
    ]

    /// Preset names users may pass to `--log-format`, with the Istio releases each covers.
    public static let descriptions: [(name: String, covers: String)] = [
        ("istio-1.9", "Istio 1.9 to 1.22 (response code details, connection termination details)"),
        ("istio-1.23", "Istio 1.23 and later (%UPSTREAM_CLUSTER_RAW%; same columns as istio-1.9)"),
        ("istio-1.8", "Istio 1.8 (mixer status removed)"),
        ("istio-1.3", "Istio 1.3 to 1.7 (route name added)"),
        ("istio-1.2", "Istio 1.2 (upstream transport failure reason added)"),
        ("istio-1.1", "Istio 1.1 (mixer status)"),
        ("istio-1.1-snapshot", "Istio 1.1 pre-releases"),
        ("envoy", "Envoy's own default format (Istio 1.0)"),
        ("json", "Istio's JSON encoding, any version, typed or string values"),
    ]

    /// Every text preset compiled, newest first.
    public static func compiled() -> [TextFormat] {
        // The preset strings are fixed and tested; a failure here is a programming error.
        all.map { try! TextFormat(name: $0.name, format: $0.format) }
    }

    /// Resolves what `--log-format` was given: a preset name, `json`, a JSON format, or a format string.
    public static func resolve(_ spec: String) throws -> LineFormat {
        if spec == "json" { return JSONFormat() }
        if let preset = all.first(where: { $0.name == spec }) { return try TextFormat(name: preset.name, format: preset.format) }
        if spec.first == "{" { return try JSONFormat(format: spec) }
        if spec.contains("%") { return try TextFormat(name: "custom", format: spec) }
        throw FormatError.unknownPreset(name: spec, known: descriptions.map(\.name))
    }
}
