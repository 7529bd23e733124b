// swift-tools-version: 6.0
import PackageDescription

/// Hot numerical loops run without overflow or bounds checks in release builds;
/// every index they use is derived from shapes validated when the model is built.
let numericFlags: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "vizsite",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vizsite", targets: ["vizsite"]),
        .library(name: "CNN", targets: ["CNN"]),
        .library(name: "Render", targets: ["Render"]),
        .library(name: "Explain", targets: ["Explain"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CCmark", pkgConfig: "libcmark", providers: [.apt(["libcmark-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(
            name: "CNN",
            dependencies: ["CBLAS", "CZlib", .product(name: "Yams", package: "Yams")],
            swiftSettings: numericFlags
        ),
        .target(name: "Render", dependencies: ["CNN", "CPNG"]),
        .target(name: "Explain", dependencies: ["CNN", "Render"]),
        .executableTarget(
            name: "vizsite",
            dependencies: ["CNN", "Render", "Explain", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(name: "TestSupport", dependencies: ["CNN"], path: "Tests/TestSupport"),
        .testTarget(name: "CNNTests", dependencies: ["CNN", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "RenderTests", dependencies: ["Render", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ExplainTests", dependencies: ["Explain", "TestSupport"]),
        .testTarget(name: "vizsiteTests", dependencies: ["vizsite", "CNN", "Render", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
