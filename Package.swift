// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "egress-audit",
    products: [
        .library(name: "EgressAudit", targets: ["EgressAudit"]),
        .executable(name: "egress-audit", targets: ["egress-audit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System libraries: Debian `libsqlite3-dev` and `zlib1g-dev` (see .ci/run).
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        // The one C function Swift cannot call itself (sqlite3_config is variadic).
        .target(name: "CSQLiteConfig", dependencies: ["CSQLite"], path: "Sources/CSQLiteConfig"),
        // A cache prefetch hint for the writer's lookups (an inline C builtin).
        .target(name: "CPrefetch", path: "Sources/CPrefetch"),
        // gzip's CRC-32 by carry-less multiplication (zlib's crc32 where the CPU has none).
        .target(name: "CCRC32", dependencies: ["CZlib"], path: "Sources/CCRC32", linkerSettings: [.linkedLibrary("z")]),
        // All logic lives in the library; the executable only parses arguments and prints.
        .target(
            name: "EgressAudit",
            dependencies: ["CSQLite", "CSQLiteConfig", "CPrefetch", "CCRC32", "CZlib", .product(name: "Yams", package: "Yams")],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .executableTarget(
            name: "egress-audit",
            dependencies: [
                "EgressAudit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "EgressAuditTests", dependencies: ["EgressAudit"]),
        .testTarget(name: "EndToEndTests", dependencies: ["EgressAudit"]),
    ]
)
