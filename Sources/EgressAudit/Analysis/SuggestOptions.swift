/// Settings of `suggest`.
public struct SuggestOptions: Sendable {
    /// Namespace of a new entry whose callers are in several (or unknown) namespaces.
    public var defaultNamespace: String
    /// Propose `*.example.com` only when at least this many distinct hosts under it were seen; nil never.
    public var wildcardMinimum: Int?
    /// Only calls from this namespace.
    public var namespace: String?

    public init(defaultNamespace: String = "default", wildcardMinimum: Int? = nil, namespace: String? = nil) {
        self.defaultNamespace = defaultNamespace
        self.wildcardMinimum = wildcardMinimum
        self.namespace = namespace
    }
}
