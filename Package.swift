// swift-tools-version: 6.1
import PackageDescription

/// Settings every Atrium target shares: Swift 6 mode with these upcoming features on.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

nonisolated(unsafe) let openAPIPlugin = Target.PluginUsage.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")


/// One OpenAPI contract: `Shared/Contracts/<name>` holds `openapi.yaml` and the generator config.
func contract(_ name: String) -> Target {
    .target(
        name: name,
        dependencies: [
            .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
        ],
        path: "Shared/Contracts/\(name)",
        resources: [.copy("openapi.yaml")],
        swiftSettings: swiftSettings,
        plugins: [openAPIPlugin]
    )
}

/// One service: a library with its domain and routes (`atrium-server` runs it).
func service(_ name: String, contract: String, extra: [Target.Dependency] = []) -> [Target] {
    [
        .target(
            name: name,
            dependencies: [
                "AtriumRuntime",
                "Contracts",
                .byName(name: contract),
                "WebhooksAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ] + extra,
            path: "Services/\(name)/Sources/\(name)",
            swiftSettings: swiftSettings
        ),
    ]
}

let package = Package(
    name: "Atrium",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "atrium", targets: ["atrium"]),
        // The five services in one binary: `atrium-server <account|chat|pipeline|notify|doc>`.
        .executable(name: "atrium-server", targets: ["atrium-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: [.defaults, "CommandLineArguments"]),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/JohnSundell/Ink.git", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // Wire types only: hand-written shared types, and one generated module per OpenAPI document.
        .target(
            name: "Contracts",
            path: "Shared/Contracts/Contracts",
            swiftSettings: swiftSettings
        ),
        contract("WebhooksAPI"),
        contract("AccountAPI"),
        contract("ChatAPI"),
        contract("PipelineAPI"),
        contract("NotifyAPI"),
        contract("DocAPI"),
        contract("DirectoryEventsAPI"),

        // libcurl, for the blob store's S3 client and NotifyService's SMTP: the C module and a safe Swift wrapper.
        .systemLibrary(
            name: "CCurl",
            path: "Shared/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "Curl",
            dependencies: [
                "CCurl",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Shared/Curl",
            swiftSettings: swiftSettings
        ),

        // The system's SQLite (Debian's libsqlite3-dev), called directly on the request's own thread.
        // Template shortcodes (`[ACCOUNT_NAME]`…): ChatService's chat templates and NotifyService's e-mail templates.
        .target(name: "AtriumShortcodes", path: "Shared/Shortcodes", swiftSettings: swiftSettings),
        .systemLibrary(name: "CSQLite3", path: "Shared/CSQLite3", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // Its own module: SQLite-NIO's copy of sqlite3.h may not meet the system's in one module.
        .target(
            name: "AtriumSQLite",
            dependencies: ["CSQLite3", .product(name: "NIOCore", package: "swift-nio")],
            path: "Shared/SQLite",
            swiftSettings: swiftSettings
        ),
        // The runtime every service shares: config, HTTP plumbing, storage, auth, outbox and webhooks, clients.
        .target(
            name: "AtriumRuntime",
            dependencies: [
                "AtriumSQLite",
                "Contracts",
                "WebhooksAPI",
                "AccountAPI",
                "DirectoryEventsAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Shared/Runtime",
            swiftSettings: swiftSettings
        ),
    ]
        + service("AccountService", contract: "AccountAPI", extra: [
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ])
        + service("ChatService", contract: "ChatAPI", extra: [
            "AccountAPI",
            "AtriumShortcodes",
            "DocAPI",
            // Markdown to HTML for chat messages (ChatService/Format), its output sanitised there.
            .product(name: "Ink", package: "Ink"),
            // The live streams: bytes out, and an end when the server shuts down.
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ])
        + service("PipelineService", contract: "PipelineAPI", extra: ["AccountAPI", "ChatAPI", "DocAPI", "NotifyAPI"])
        + service("NotifyService", contract: "NotifyAPI", extra: [
            "AccountAPI",
            "AtriumShortcodes",
            "ChatAPI",
            // E-mail goes out over SMTP through libcurl (NotifyService/Mail/SMTPMailer).
            "Curl",
            .product(name: "Configuration", package: "swift-configuration"),
            // E-mail templates (NotifyService/Email), HTML-escaped by default.
            .product(name: "Mustache", package: "swift-mustache"),
        ])
        + service("DocService", contract: "DocAPI", extra: [
            "ChatAPI",
            "Curl",
            .product(name: "Configuration", package: "swift-configuration"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            // Inflate and CRC-32 for unpacking uploaded zips (DocService/Zip).
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "MultipartKit", package: "multipart-kit"),
        ])
        + [
            // Starts a topology as real processes: used by `atrium up` and by the integration tests.
            .target(
                name: "AtriumCluster",
                dependencies: [
                    "AtriumRuntime",
                    .product(name: "AsyncHTTPClient", package: "async-http-client"),
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOHTTP1", package: "swift-nio"),
                ],
                path: "Shared/Cluster",
                swiftSettings: swiftSettings
            ),
            .executableTarget(
                name: "atrium",
                dependencies: [
                    "AtriumRuntime",
                    "AtriumCluster",
                    "Contracts",
                    "AccountService",
                    .product(name: "JWTKit", package: "jwt-kit"),
                    .product(name: "ArgumentParser", package: "swift-argument-parser"),
                    .product(name: "Hummingbird", package: "hummingbird"),
                    .product(name: "AsyncHTTPClient", package: "async-http-client"),
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOHTTP1", package: "swift-nio"),
                ],
                path: "Tools/atrium",
                swiftSettings: swiftSettings
            ),
            .executableTarget(
                name: "atrium-server",
                dependencies: ["AtriumRuntime", "AccountService", "ChatService", "PipelineService", "NotifyService", "DocService"],
                path: "Tools/atrium-server",
                swiftSettings: swiftSettings
            ),
            .testTarget(
                name: "AtriumTests",
                dependencies: [
                    "AtriumRuntime",
                    "AtriumCluster",
                    "Contracts",
                    "WebhooksAPI",
                    "AccountService",
                    "ChatService",
                    "PipelineService",
                    "NotifyService",
                    "DocService",
                    "Curl",
                    "AtriumShortcodes",
                    .product(name: "HummingbirdTesting", package: "hummingbird"),
                    .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                    .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                    .product(name: "HTTPTypes", package: "swift-http-types"),
                    .product(name: "SQLKit", package: "sql-kit"),
                    .product(name: "Crypto", package: "swift-crypto"),
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "AsyncHTTPClient", package: "async-http-client"),
                    .product(name: "Yams", package: "Yams"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOHTTP1", package: "swift-nio"),
                ],
                path: "Tests/AtriumTests",
                swiftSettings: swiftSettings
            ),
        ]
)
