// swift-tools-version: 6.1
// libFuzzer targets for sigflow, in a package of their own: they have no `main` until libFuzzer
// supplies one (`-sanitize=fuzzer`), so they cannot sit in the main package's plain build.
// Build and run them with scripts/fuzz.
import PackageDescription

let targets = [
    "capture-file", "tcp-streams", "sip-message", "http-stream", "json", "xmpp-stream", "client-log", "tls-streams",
]

let package = Package(
    name: "sigflow-fuzz",
    dependencies: [.package(name: "sigflow", path: "..")],
    targets: targets.map { name in
        .executableTarget(
            name: "fuzz-" + name,
            dependencies: [.product(name: "SigflowFuzzing", package: "sigflow")],
            path: "Sources/" + name
        )
    }
)
