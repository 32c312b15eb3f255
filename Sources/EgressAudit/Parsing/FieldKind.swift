/// The access-log values egress-audit understands, whatever the layout or encoding they come in.
///
/// A format string's operators and a JSON format's keys both map onto these; anything else is
/// parsed positionally and ignored.
public enum FieldKind: Int, CaseIterable, Sendable {
    case startTime
    case method
    case path
    case proto
    case responseCode
    case responseFlags
    case responseCodeDetails
    case connectionTerminationDetails
    case upstreamTransportFailureReason
    case bytesReceived
    case bytesSent
    case duration
    case upstreamServiceTime
    case forwardedFor
    case userAgent
    case requestID
    case authority
    case upstreamHost
    case upstreamCluster
    case upstreamLocalAddress
    case downstreamLocalAddress
    case downstreamRemoteAddress
    case serverName
    case routeName
    /// Parsed for position only (mixer status, operators egress-audit has no use for).
    case ignored

    /// Number of kinds that carry a value slot in an `AccessRecord`.
    public static let slotCount = FieldKind.ignored.rawValue + 1

    /// How a value may be shaped: used to check a candidate split and to tell layouts apart.
    public enum Shape: Sendable {
        /// Anything, including quotes and spaces: header values a client controls.
        case free
        /// Envoy-made text.
        case text
        /// A decimal integer or `-`.
        case integer
        /// A timestamp (ISO-8601 or epoch seconds).
        case time
        /// `-` or `HTTP/…`.
        case httpProtocol
        /// An HTTP method token (letters) or `-`.
        case methodToken
    }

    /// The shape a value of this kind must have.
    public var shape: Shape {
        switch self {
        case .path, .forwardedFor, .userAgent, .requestID, .authority: return .free
        case .responseCode, .bytesReceived, .bytesSent, .duration, .upstreamServiceTime: return .integer
        case .startTime: return .time
        case .proto: return .httpProtocol
        case .method: return .methodToken
        default: return .text
        }
    }

    /// Maps an Envoy command operator (`START_TIME`, `REQ(:AUTHORITY)`, `UPSTREAM_CLUSTER_RAW`…) to a kind.
    public init(operator name: String, argument: String?) {
        let arg = argument?.uppercased()
        switch name {
        case "START_TIME", "START_TIME_LOCAL": self = .startTime
        case "PROTOCOL": self = .proto
        case "RESPONSE_CODE": self = .responseCode
        case "RESPONSE_FLAGS", "RESPONSE_FLAGS_LONG": self = .responseFlags
        case "RESPONSE_CODE_DETAILS": self = .responseCodeDetails
        case "CONNECTION_TERMINATION_DETAILS": self = .connectionTerminationDetails
        case "UPSTREAM_TRANSPORT_FAILURE_REASON": self = .upstreamTransportFailureReason
        case "BYTES_RECEIVED": self = .bytesReceived
        case "BYTES_SENT": self = .bytesSent
        case "DURATION": self = .duration
        case "UPSTREAM_HOST": self = .upstreamHost
        case "UPSTREAM_CLUSTER", "UPSTREAM_CLUSTER_RAW": self = .upstreamCluster
        case "UPSTREAM_LOCAL_ADDRESS": self = .upstreamLocalAddress
        case "DOWNSTREAM_LOCAL_ADDRESS": self = .downstreamLocalAddress
        case "DOWNSTREAM_REMOTE_ADDRESS": self = .downstreamRemoteAddress
        case "REQUESTED_SERVER_NAME": self = .serverName
        case "ROUTE_NAME": self = .routeName
        case "RESP":
            self = arg == "X-ENVOY-UPSTREAM-SERVICE-TIME" ? .upstreamServiceTime : .ignored
        case "REQ":
            switch arg {
            case ":METHOD": self = .method
            case "X-ENVOY-ORIGINAL-PATH?:PATH", ":PATH", ":PATH?X-ENVOY-ORIGINAL-PATH": self = .path
            case ":AUTHORITY", "HOST", ":AUTHORITY?HOST", "HOST?:AUTHORITY": self = .authority
            case "X-FORWARDED-FOR": self = .forwardedFor
            case "USER-AGENT": self = .userAgent
            case "X-REQUEST-ID": self = .requestID
            default: self = .ignored
            }
        default: self = .ignored
        }
    }
}
