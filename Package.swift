// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "sessproxy",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sessproxy", targets: ["sessproxy"]),
        .library(name: "SessproxyCore", targets: ["SessproxyCore"]),
        .library(name: "SessproxyTesting", targets: ["SessproxyTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/onevcat/Rainbow", from: "4.2.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .target(
            name: "SessproxyCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.embedInCode("Schema/klarna-payments-openapi.yaml")]
        ),
        .target(
            name: "SessproxyStore",
            dependencies: [
                "SessproxyCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "SessproxyProxy",
            dependencies: [
                "SessproxyCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "SessproxyDiff",
            dependencies: [
                "SessproxyCore",
                .product(name: "Rainbow", package: "Rainbow"),
            ],
            exclude: ["DIFF-FORMAT.md"]
        ),
        .target(
            name: "SessproxyFleet",
            dependencies: [
                "SessproxyCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SessproxyInspector",
            dependencies: [
                "SessproxyCore",
                "SessproxyStore",
                "SessproxyDiff",
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.embedInCode("Page/index.html"), .embedInCode("Page/app.js"), .embedInCode("Page/style.css")]
        ),
        .target(
            name: "SessproxyServing",
            dependencies: [
                "SessproxyCore",
                "SessproxyStore",
                "SessproxyProxy",
                "SessproxyInspector",
                "SessproxyFleet",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SessproxyTesting",
            dependencies: [
                "SessproxyCore",
                "SessproxyStore",
                "SessproxyProxy",
                "SessproxyServing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "sessproxy",
            dependencies: [
                "SessproxyCore",
                "SessproxyStore",
                "SessproxyProxy",
                "SessproxyDiff",
                "SessproxyServing",
                "SessproxyFleet",
                "SessproxyTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Rainbow", package: "Rainbow"),
            ]
        ),
        .testTarget(name: "SessproxyCoreTests", dependencies: ["SessproxyCore"]),
        .testTarget(name: "SessproxyStoreTests", dependencies: ["SessproxyStore", "SessproxyCore"]),
        .testTarget(
            name: "SessproxyProxyTests",
            dependencies: [
                "SessproxyProxy", "SessproxyStore", "SessproxyCore", "SessproxyServing", "SessproxyTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "SessproxyDiffTests", dependencies: ["SessproxyDiff", "SessproxyCore"], exclude: ["Golden"]),
        .testTarget(name: "SessproxyInspectorTests", dependencies: ["SessproxyInspector", "SessproxyStore", "SessproxyCore"]),
        .testTarget(
            name: "SessproxyFleetTests",
            dependencies: ["SessproxyFleet", "SessproxyServing", "SessproxyStore", "SessproxyCore", "SessproxyTesting"]
        ),
        .testTarget(
            name: "SessproxyCLITests",
            dependencies: [
                "sessproxy", "SessproxyCore", "SessproxyServing", "SessproxyTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ]
)
