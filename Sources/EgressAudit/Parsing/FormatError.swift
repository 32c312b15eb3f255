/// A format given with `--log-format` that cannot be compiled, with what to change.
public enum FormatError: Error, Equatable, CustomStringConvertible {
    case unterminatedOperator(format: String, at: Int)
    case adjacentOperators(format: String, first: String, second: String)
    case unknownPreset(name: String, known: [String])
    case invalidJSONFormat(reason: String)
    case noFields(format: String)

    public var description: String {
        switch self {
        case let .unterminatedOperator(format, at):
            return "log format '\(format)': the operator starting at character \(at + 1) has no closing '%'"
        case let .adjacentOperators(format, first, second):
            return "log format '\(format)': %\(first)% and %\(second)% touch with no text between them, so their values cannot be told apart"
        case let .unknownPreset(name, known):
            return "unknown log format '\(name)'; use one of \(known.joined(separator: ", ")), 'json', or an Envoy format string such as '[%START_TIME%] %UPSTREAM_CLUSTER% ...'"
        case let .invalidJSONFormat(reason):
            return "JSON log format: \(reason); give a JSON object whose values are Envoy operators, e.g. {\"start_time\":\"%START_TIME%\"}"
        case let .noFields(format):
            return "log format '\(format)' has no %OPERATOR% in it"
        }
    }
}
