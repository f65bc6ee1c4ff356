// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "sigflow",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sigflow", targets: ["sigflow"]),
        .library(name: "SigflowPipeline", targets: ["SigflowPipeline"]),
        // What the fuzz targets in Fuzz/ run; not part of the command-line tool.
        .library(name: "SigflowFuzzing", targets: ["SigflowFuzzing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "CSigflowGzip", dependencies: ["CZlib"]),
        .target(name: "SigflowCore"),
        .target(name: "SigflowCapture", dependencies: ["SigflowCore", "CPcap", "CSigflowGzip"]),
        .target(name: "SigflowFraming", dependencies: ["SigflowCore", "CZlib"]),
        .target(name: "SigflowSDP", dependencies: ["SigflowCore"]),
        .target(name: "SigflowSIP", dependencies: ["SigflowCore", "SigflowFraming", "SigflowSDP"]),
        .target(name: "SigflowMatrix", dependencies: ["SigflowCore", "SigflowFraming", "SigflowSDP"]),
        .target(name: "SigflowWhatsApp", dependencies: ["SigflowCore", "SigflowFraming", "SigflowTLS"]),
        .target(name: "SigflowXMPP", dependencies: ["SigflowCore", "SigflowFraming"]),
        .target(
            name: "SigflowTLS",
            dependencies: [
                "SigflowCore", "SigflowFraming", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(name: "SigflowCorrelator", dependencies: ["SigflowCore"]),
        .target(name: "SigflowMedia", dependencies: ["SigflowCore", "SigflowFraming"]),
        // The composition module: the only one that imports the protocol modules.
        .target(
            name: "SigflowProtocols",
            dependencies: [
                "SigflowCore", "SigflowFraming", "SigflowMedia", "SigflowSIP", "SigflowMatrix", "SigflowXMPP",
                "SigflowWhatsApp", "SigflowTLS",
            ]),
        .target(name: "SigflowChecks", dependencies: ["SigflowCore"]),
        .target(
            name: "SigflowRender",
            dependencies: [
                "SigflowCore", "SigflowFraming", "SigflowCorrelator", "SigflowChecks", "SigflowTLS",
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .target(
            name: "SigflowPipeline",
            dependencies: [
                "SigflowCore", "SigflowCapture", "SigflowFraming", "SigflowCorrelator", "SigflowChecks", "SigflowMedia",
                "SigflowProtocols", "SigflowTLS",
            ]
        ),
        .target(
            name: "SigflowFuzzing",
            dependencies: [
                "SigflowCore", "SigflowFraming", "SigflowSIP", "SigflowMatrix", "SigflowXMPP", "SigflowPipeline",
                "SigflowRender",
            ]
        ),
        .executableTarget(
            name: "sigflow",
            dependencies: [
                "SigflowPipeline",
                "SigflowRender",
                "SigflowTLS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .target(
            name: "SigflowTestSupport", dependencies: ["SigflowCore", "SigflowCapture", "SigflowFraming"],
            path: "Tests/SigflowTestSupport"),
        .testTarget(
            name: "SigflowCaptureTests", dependencies: ["SigflowCapture", "SigflowTestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(name: "SigflowFramingTests", dependencies: ["SigflowFraming", "SigflowTestSupport"]),
        .testTarget(
            name: "SigflowPipelineTests",
            dependencies: [
                "SigflowPipeline", "SigflowCore", "SigflowChecks", "SigflowCorrelator", "SigflowRender", "SigflowSDP",
                "SigflowSIP", "SigflowMatrix", "SigflowXMPP", "SigflowWhatsApp", "SigflowMedia", "SigflowProtocols",
                "SigflowTLS",
                "SigflowTestSupport",
            ]),
        .testTarget(name: "SigflowFuzzRegressionTests", dependencies: ["SigflowFuzzing"]),
        .testTarget(
            name: "SigflowTLSTests",
            dependencies: [
                "SigflowTLS", "SigflowCapture", "SigflowCore", "SigflowFraming", "SigflowTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "SigflowSIPTests",
            dependencies: ["SigflowSIP", "SigflowCore", "SigflowCorrelator", "SigflowTestSupport"]),
        .testTarget(
            name: "SigflowCorrelatorTests", dependencies: ["SigflowCorrelator", "SigflowCore", "SigflowTestSupport"]),
        .testTarget(
            name: "SigflowMatrixTests",
            dependencies: ["SigflowMatrix", "SigflowCore", "SigflowCorrelator", "SigflowTestSupport"]),
        .testTarget(
            name: "SigflowWhatsAppTests",
            dependencies: [
                "SigflowWhatsApp", "SigflowCore", "SigflowCorrelator", "SigflowFraming", "SigflowTestSupport",
            ]),
        .testTarget(
            name: "SigflowXMPPTests",
            dependencies: [
                "SigflowXMPP", "SigflowCore", "SigflowFraming", "SigflowCapture", "SigflowCorrelator", "SigflowChecks",
                "SigflowTestSupport",
            ]
        ),
        .testTarget(
            name: "SigflowRenderTests",
            dependencies: [
                "SigflowRender", "SigflowCore", "SigflowTestSupport",
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // Runs the built `sigflow` binary; depending on the executable makes `swift test` build it.
        .testTarget(name: "SigflowCLITests", dependencies: ["sigflow", "SigflowTestSupport"]),
        // FlowsJob against tshark's conversation tables (Tests/Truth) for ../shared/captures-public.
        .testTarget(name: "SigflowTruthTests", dependencies: ["SigflowPipeline", "SigflowTestSupport"]),
    ]
)
