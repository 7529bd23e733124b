// swift-tools-version: 6.0
import PackageDescription

/// `make fuzz` (Tools/fuzz.sh) builds with VIZSITE_FUZZ set: the libFuzzer driver is added
/// and bounds checks stay on, so a bad index traps where the fuzzer sees it.
let fuzzing = Context.environment["VIZSITE_FUZZ"] != nil

/// Hot numerical loops (CNNCore) run without overflow or bounds checks in release builds;
/// every index they use is derived from shapes validated when the model is built. The
/// readers of files people bring (CNN: ONNX, Keras, HDF5 glue, zip, IDX, CIFAR, image
/// folders, safetensors, model specs) keep every check: a bug there traps instead of
/// corrupting memory. VIZSITE_CHECKED=1 (make sanitize) keeps the checks in CNNCore too.
let checked = fuzzing || Context.environment["VIZSITE_CHECKED"] != nil
let numericFlags: [SwiftSetting] = checked ? [] : [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "vizsite",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vizsite", targets: ["vizsite"]),
        .library(name: "Common", targets: ["Common"]),
        .library(name: "CNN", targets: ["CNN", "CNNCore"]),
        .library(name: "Render", targets: ["Render"]),
        .library(name: "Explain", targets: ["Explain"]),
        .library(name: "Site", targets: ["Site"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CCmark", pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // Keras weights (.h5, and model.weights.h5 inside .keras files).
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        // Hand-written AVX2 convolution kernels (Winograd, direct) with run-time dispatch.
        .target(name: "CKernels"),
        // What every module shares: source positions, the error type, nearest-name
        // suggestions, the positioned YAML reader, hashing, number formatting.
        .target(name: "Common", dependencies: ["CSystem", .product(name: "Yams", package: "Yams")]),
        // Tensors, layers, models, training: the numerical core.
        .target(name: "CNNCore", dependencies: ["Common", "CBLAS", "CKernels"], swiftSettings: numericFlags),
        // Everything that reads a file into the core, with every check on; re-exports CNNCore.
        .target(name: "CNN", dependencies: ["Common", "CNNCore", "CZlib", "CHDF5"]),
        .target(name: "Render", dependencies: ["Common", "CPNG", "CTurboJPEG"]),
        .target(name: "Explain", dependencies: ["Common", "CNN", "Render"]),
        // One C function Glibc's Swift module does not export: renameat2(RENAME_EXCHANGE).
        .target(name: "CSystem"),
        .target(
            name: "Site",
            dependencies: [
                "Common", "CNN", "Render", "Explain", "CCmark", "CSystem",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .executableTarget(
            name: "vizsite",
            dependencies: [
                "Common", "CNN", "Render", "Explain", "Site",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Every reader of user files as a bytes → () function: fuzzed by `make fuzz`, and its
        // crash inputs replayed by FuzzRegressionTests.
        .target(name: "FuzzTargets", dependencies: ["Common", "CNN", "Render", "Site"], path: "Fuzz/Targets"),
        .target(name: "TestSupport", dependencies: ["Common", "CNN", "CTurboJPEG"], path: "Tests/TestSupport"),
        .testTarget(name: "CommonTests", dependencies: ["Common", "TestSupport"]),
        .testTarget(name: "CNNTests", dependencies: ["Common", "CNN", "CNNCore", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "RenderTests", dependencies: ["Common", "CNN", "Render", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ExplainTests", dependencies: ["Common", "CNN", "Explain", "TestSupport"]),
        // Every torchvision and keras.applications architecture against its framework; its
        // fixtures live with CNNTests' (make test's kernels-off run leaves it out: heavy).
        .testTarget(name: "ZooTests", dependencies: ["Common", "CNN", "Explain", "Render", "TestSupport"]),
        .testTarget(name: "SiteTests", dependencies: ["Common", "Site", "CNN", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "vizsiteTests", dependencies: ["Common", "vizsite", "CNN", "Render", "TestSupport"]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzTargets", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

if fuzzing {
    // A static library holding LLVMFuzzerTestOneInput, linked by Tools/fuzz.sh with
    // `swiftc -sanitize=fuzzer,address` (SwiftPM's own executables define a main that
    // clashes with libFuzzer's).
    package.products.append(.library(name: "VizsiteFuzz", type: .static, targets: ["FuzzDriver"]))
    package.targets.append(.target(name: "FuzzDriver", dependencies: ["FuzzTargets"], path: "Fuzz/Driver"))
}
