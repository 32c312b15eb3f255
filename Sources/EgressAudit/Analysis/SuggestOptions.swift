/// Settings of `suggest`.
public struct SuggestOptions: Sendable {
    /// Namespace of a new entry whose callers are in several (or unknown) namespaces.
    public var defaultNamespace: String
    /// Propose `*.example.com` only when at least this many distinct hosts under it were seen; nil never.
    public var wildcardMinimum: Int?
    /// Only calls from this namespace.
    public var namespace: String?
    /// `apiVersion` of new entries: `networking.istio.io/v1` needs Istio 1.22+; `v1beta1` works from 1.5.
    public var apiVersion: String

    public init(defaultNamespace: String = "default", wildcardMinimum: Int? = nil, namespace: String? = nil,
                apiVersion: String = "networking.istio.io/v1") {
        self.apiVersion = apiVersion
        self.defaultNamespace = defaultNamespace
        self.wildcardMinimum = wildcardMinimum
        self.namespace = namespace
    }
}
