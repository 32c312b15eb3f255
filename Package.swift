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
        // For its build of SQLite (see Sources/CSQLite): exact, as the names of that build are sqlite-nio's choice.
        .package(url: "https://github.com/vapor/sqlite-nio.git", exact: "1.13.2"),
    ],
    targets: [
        // SQLite 3.54, compiled in from sqlite-nio's copy of the amalgamation, under its standard names; and one C
        // function Swift cannot call itself (sqlite3_config is variadic).
        .target(name: "CSQLite", dependencies: [.product(name: "SQLiteNIO", package: "sqlite-nio")], path: "Sources/CSQLite"),
        // System library: Debian `zlib1g-dev` (see .ci/run).
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        // A cache prefetch hint for the writer's lookups (an inline C builtin).
        .target(name: "CPrefetch", path: "Sources/CPrefetch"),
        // gzip's CRC-32 by carry-less multiplication (zlib's crc32 where the CPU has none).
        .target(name: "CCRC32", dependencies: ["CZlib"], path: "Sources/CCRC32", linkerSettings: [.linkedLibrary("z")]),
        // All logic lives in the library; the executable only parses arguments and prints.
        .target(
            name: "EgressAudit",
            dependencies: ["CSQLite", "CPrefetch", "CCRC32", "CZlib", .product(name: "Yams", package: "Yams")],
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
